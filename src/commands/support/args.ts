// Argument checks shared by the verbs.
import { str } from '../../cli/global-flags.js';
import type { FlagSpec, FlagValues } from '../../cli/flags.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Gateway } from '../../routing/target.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function serviceArg(args: string[], index: number, usage: string): string {
  const name = optionalServiceArg(args, index, usage);
  if (name === undefined) throw new UsageError('missing SERVICE', `usage: kubectl mesh ${usage} (or run it at a terminal to pick one)`);
  return name;
}

/** SERVICE at `index`, checked, or undefined when it was not given. */
export function optionalServiceArg(args: string[], index: number, usage: string): string | undefined {
  const name = args[index];
  if (name === undefined) return undefined;
  if (!DNS_NAME.test(name) || name.length > 63)
    throw new UsageError(`"${name}" is not a valid service name`, 'use the name of a Service, e.g. reviews');
  if (args.length > index + 1) throw new UsageError(`unexpected argument "${args[index + 1]}"`, `usage: kubectl mesh ${usage}`);
  return name;
}

/**
 * Where nobody can be asked (no terminal, or --no-input), a missing value is a usage error that
 * says what to pass. At a terminal the flows ask instead.
 */
export function requireValues(ctx: Context, values: Record<string, unknown>, usage: string): void {
  const missing = Object.keys(values).filter((k) => values[k] === undefined);
  if (!missing.length || ctx.interactive) return;
  const why = ctx.noInput ? '--no-input was given' : 'this is not a terminal';
  throw new UsageError(
    `missing ${missing.join(' and ')}`,
    `pass ${missing.length > 1 ? 'them' : 'it'}: kubectl mesh ${usage}; ${why}, so nothing is asked`,
  );
}

export const gatewayFlags: FlagSpec[] = [
  {
    name: 'gateway',
    kind: 'string',
    placeholder: 'NS/NAME',
    description: 'bind the VirtualService to this ingress gateway (keeps "mesh" too)',
  },
  { name: 'host', kind: 'string', placeholder: 'HOST', description: 'with --gateway: the external host name, e.g. app.example.com' },
];

export function gatewayOf(flags: FlagValues): Gateway | undefined {
  const gateway = str(flags, 'gateway');
  const host = str(flags, 'host');
  if (!gateway && !host) return undefined;
  if (!gateway || !host)
    throw new UsageError('--gateway and --host go together', 'pass both, e.g. --gateway istio-system/ingress --host app.example.com');
  const parts = gateway.split('/');
  if (parts.length > 2 || parts.some((p) => !DNS_NAME.test(p)))
    throw new UsageError(`--gateway "${gateway}" is not NAME or NAMESPACE/NAME`, 'e.g. --gateway istio-system/public');
  if (!/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(host))
    throw new UsageError(`--host "${host}" is not a DNS name`, 'e.g. --host app.example.com');
  return { gateway, host };
}
