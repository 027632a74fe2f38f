// Builds the Prometheus client a command uses from --prometheus, $MESH_PROMETHEUS_URL and
// --prometheus-token-file (read once, here).
import { readFileSync } from 'node:fs';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { authorization, locatePrometheus, prometheus, proxyGet, urlGet, type Prometheus } from './prometheus.js';

export interface PrometheusOptions {
  url?: string;
  tokenFile?: string;
}

export function openPrometheus(ctx: Context, o: PrometheusOptions): Prometheus {
  const where = locatePrometheus(o.url, ctx.env);
  if (where.kind === 'url') {
    if (!/^https?:\/\/[^/]/.test(where.url)) {
      throw new UsageError(
        `Prometheus URL "${where.url}"${where.from === 'env' ? ' (from $MESH_PROMETHEUS_URL)' : ''} is not an http(s) URL`,
        'e.g. --prometheus http://prometheus.monitoring:9090',
      );
    }
    return prometheus(where, urlGet(where.url, o.tokenFile ? readToken(o.tokenFile) : undefined));
  }
  return prometheus(
    where,
    proxyGet(where, async (path, timeoutMs) => {
      const kube = await ctx.kube();
      if (!kube.getRaw) throw new Error('this client cannot reach the service proxy');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs}ms`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([kube.getRaw(path), timeout]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

function readToken(file: string): string {
  try {
    return authorization(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(
      `cannot read --prometheus-token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'pass a file holding a bearer token or user:password',
    );
  }
}
