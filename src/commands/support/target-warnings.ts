// What every verb reading one service checks about its routing objects first: another controller
// managing them (refused unless --force: it would overwrite our routes), and a history annotation
// of the wrong shape (one warning; the entries are skipped and the next write drops them).
import type { Context } from '../../context.js';
import { ConflictError } from '../../errors.js';
import { coManagerOf, describeCoManaged } from '../../model/co-managed.js';
import { historyWarning } from '../../routing/history.js';
import type { Target } from '../../routing/target.js';
import { printable } from '../../ui/printable.js';

export function warnAboutTarget(ctx: Context, target: Target): void {
  const history = historyWarning(target.vs);
  if (history) ctx.note(`warning: ${printable(history)}`);
}

/** Before a write: warnings, and the refusal to write objects another controller manages. */
export function checkTarget(ctx: Context, target: Target, force: boolean): void {
  for (const o of [target.vs, target.dr]) {
    const m = o && coManagerOf(o);
    if (!m) continue;
    const what = describeCoManaged(o, m);
    if (!force) {
      throw new ConflictError(
        `${what}, which would overwrite our routes on its next reconcile; nothing was written`,
        `make the change through ${m.name.replace(/^a /, 'the ')}, or pass --force to write anyway`,
      );
    }
    ctx.note(`warning: ${printable(what)}; writing anyway (--force)`);
  }
  warnAboutTarget(ctx, target);
}
