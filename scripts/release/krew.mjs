// Renders the krew.yaml template at the repo root for one release.
import { parseDocument } from 'yaml';

/**
 * @param {string} template krew.yaml text with {{version}} and {{sha256 os/arch}}
 * @param {string} version without the leading v
 * @param {Map<string, string>} sha256 'os/arch' → hex digest, for the archives that were built
 * @param {string[]} notes extra caveat lines (e.g. why a platform is missing)
 */
export function renderKrew(template, version, sha256, notes = []) {
  const doc = parseDocument(template.replaceAll('{{version}}', version));
  // The template's header comment explains the placeholders; the rendered file says where it came from.
  const first = doc.contents?.items?.[0]?.key;
  if (first) first.commentBefore = null;
  doc.commentBefore = ` Rendered by "npm run release" from krew.yaml for v${version}.`;
  const platforms = doc.getIn(['spec', 'platforms']);
  platforms.items = platforms.items.filter((p) => sha256.has(key(p)));
  for (const p of platforms.items) {
    const placeholder = `{{sha256 ${key(p)}}}`;
    if (p.get('sha256') !== placeholder) throw new Error(`krew.yaml: platform ${key(p)} must have sha256: "${placeholder}"`);
    p.set('sha256', sha256.get(key(p)));
  }
  if (notes.length) doc.setIn(['spec', 'caveats'], `${String(doc.getIn(['spec', 'caveats'])).trimEnd()}\n\n${notes.join('\n')}\n`);
  const out = doc.toString({ lineWidth: 0 });
  if (out.includes('{{')) throw new Error(`krew.yaml: unrendered placeholder in ${out.match(/\{\{[^}]*\}\}/)[0]}`);
  return out;
}

const key = (p) => `${p.getIn(['selector', 'matchLabels', 'os'])}/${p.getIn(['selector', 'matchLabels', 'arch'])}`;
