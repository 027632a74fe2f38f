// Guided green / env NAME: the environment's name, how the header matches, the header itself
// (x-env=<env> suggested), and which subset it goes to when the service has more than two versions.
import type { Context } from '../../context.js';
import { MATCH_TYPES, parseHeader } from '../../routing/headers.js';
import { knownSubsets, type Target } from '../../routing/target.js';
import type { HeaderCondition } from '../../routing/types.js';
import { envRoutes } from '../../routing/view.js';
import { prompter } from '../prompt.js';
import { askRoles } from './canary.js';
import { subsetChoices, suggestedRoles, validateEnvName, validateHeader } from './choices.js';

export interface EnvAnswers {
  env: string;
  /** Given (--header) or answered; empty until then. */
  headers: HeaderCondition[];
  type?: HeaderCondition['type'];
  subset?: string;
  stable?: string;
}

export const askEnvName = (ctx: Context): Promise<string> =>
  prompter(ctx).input('Environment name (e.g. uat, dev, preprod)', { validate: validateEnvName });

const MATCH_TEXT: Record<HeaderCondition['type'], string> = {
  exact: 'exact   the header value equals the text',
  prefix: 'prefix  the header value starts with the text',
  regex: 'regex   the header value matches an RE2 pattern',
};

/** Fills in what `env` / `green` needs and the flags did not say. */
export async function askEnv(ctx: Context, t: Target, req: EnvAnswers): Promise<void> {
  const ask = prompter(ctx);
  if (!req.headers.length) {
    const existing = envRoutes(t.vs).find((e) => e.name === req.env)?.headers[0];
    const type = req.type ?? await ask.select(`How should the header of ${req.env} match?`,
      MATCH_TYPES.map((m) => ({ name: MATCH_TEXT[m], value: m })), existing?.type ?? 'exact');
    const suggestion = existing ? `${existing.name}=${existing.value}` : `x-env=${req.env}`;
    const text = await ask.input('Header (NAME=VALUE)', { default: suggestion, validate: (s) => validateHeader(s, type) });
    req.headers = [parseHeader(text.trim(), type)];
  }
  // More than two versions: which one the environment sees (and, for a new route, who gets the rest).
  if (!req.subset && knownSubsets(t).length > 2) {
    if (t.vs) {
      req.subset = await ask.select(`Subset that ${req.env} goes to`, subsetChoices(t), suggestedRoles(t)?.canary);
    } else {
      const roles = await askRoles(ctx, t, { stable: req.stable }, req.env);
      req.subset = roles.canary;
      req.stable = roles.stable;
    }
  }
}
