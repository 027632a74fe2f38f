// Guided green / env NAME: the environment's name, how the header matches, the header itself
// (x-env=<env> suggested), and which subset it goes to when the service has more than two versions.
import type { Context } from '../../context.js';
import { MATCH_TYPES, parseHeader } from '../../routing/headers.js';
import { knownSubsets, type Target } from '../../routing/target.js';
import type { HeaderCondition } from '../../routing/types.js';
import { envRoutes } from '../../routing/view.js';
import { prompter } from '../prompt.js';
import { askRoles } from './canary.js';
import { OTHER, environmentChoices, subsetChoices, suggestedRoles, validateEnvName, validateHeader } from './choices.js';
import { NotFoundError } from '../../errors.js';

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
    const type =
      req.type ??
      (await ask.select(
        `How should the header of ${req.env} match?`,
        MATCH_TYPES.map((m) => ({ name: MATCH_TEXT[m], value: m })),
        existing?.type ?? 'exact',
      ));
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

/** What the namespace-wide flow settles: the environment, its header and the services it covers. */
export interface EnvironmentAnswers {
  env: string;
  headers: HeaderCondition[];
  services: string[];
}

/**
 * `kubectl mesh env` at a terminal: pick an environment among the versions present (or type one),
 * the header (the existing one, else x-env=NAME, suggested), then the services (all preselected).
 */
export async function askEnvironment(ctx: Context, targets: Target[]): Promise<EnvironmentAnswers> {
  const ask = prompter(ctx);
  const choices = environmentChoices(targets);
  if (!choices.length)
    throw new NotFoundError(
      'no service here has a versioned Deployment to build an environment from',
      "label each version's pod template, e.g. version: uat",
    );
  const picked = await ask.select<string | typeof OTHER>(
    'Environment',
    [...choices, { name: 'other…', value: OTHER, description: 'type a name' }],
    choices[0].value,
  );
  const env = picked === OTHER ? await askEnvName(ctx) : picked;
  const existing = targets.flatMap((t) => envRoutes(t.vs)).find((e) => e.name === env)?.headers;
  const suggestion = existing?.length === 1 && existing[0].type === 'exact' ? `${existing[0].name}=${existing[0].value}` : `x-env=${env}`;
  const text = await ask.input('Header (NAME=VALUE)', { default: suggestion, validate: (s) => validateHeader(s, 'exact') });
  const members = targets.filter((t) => t.versions.some((v) => v.value === env));
  if (!members.length) throw new NotFoundError(`no service here has a version ${env}`, 'deploy it first, labelled e.g. version: ' + env);
  const width = Math.max(...members.map((t) => t.ref.name.length));
  const services = await ask.checkbox(
    `Services in ${env} (space toggles, enter accepts)`,
    members.map((t) => ({
      name: `${t.ref.name.padEnd(width)}  → ${t.versions.find((v) => v.value === env)!.subset}`,
      value: t.ref.name,
      short: t.ref.name,
      checked: true,
    })),
  );
  return { env, headers: [parseHeader(text.trim(), 'exact')], services };
}
