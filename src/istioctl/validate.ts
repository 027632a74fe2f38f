// `istioctl validate -f -`: Istio's own validation (what its admission webhook would say) of each
// object we are about to write. Clusters without the webhook — the test bed, a broken install — would
// otherwise take an invalid VirtualService and istiod would silently drop it.
import type { Finding, IstioctlRunner, Obj } from '../analysis/types.js';
import { runIstioctl, toMultiDocYaml } from './istioctl.js';

/** The finding a rejected object gives (one per object; Error, so the write stops unless --force). */
export const VALIDATION_CODE = 'IstioValidation';

const origin = (o: Obj): string => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** istioctl's error text without the cobra/multierror wrapping: "Error: 1 error occurred:\n\t* x". */
export function validationMessage(stderr: string): string {
  const points = [...stderr.matchAll(/^\s*\*\s+(.+)$/gm)].map((m) => m[1].trim());
  if (points.length) return points.join('; ');
  return (
    stderr
      .split('\n')
      .map((l) => l.replace(/^Error:\s*/, '').trim())
      .find((l) => l !== '') ?? 'rejected'
  );
}

/** Findings for the objects istioctl validate rejects; nothing when it accepts them or cannot run. */
export async function validateObjects(bin: string, objects: readonly Obj[], timeoutMs: number): Promise<Finding[]> {
  const results = await Promise.all(
    objects.map(async (o): Promise<Finding | undefined> => {
      const r = await runIstioctl(bin, ['validate', '-f', '-'], { timeoutMs, input: toMultiDocYaml([o]) });
      if (r.timedOut || r.failure || r.exitCode === 0) return undefined;
      return {
        code: VALIDATION_CODE,
        level: 'Error',
        origin: origin(o),
        message: `istioctl validate: ${validationMessage(r.stderr)}`,
        source: 'istioctl',
      };
    }),
  );
  return results.filter((f): f is Finding => f !== undefined);
}

/** Wraps an analyze runner so the proposed objects also go through istioctl validate (in parallel). */
export function withValidation(analyze: IstioctlRunner, locate: () => Promise<string | undefined>, timeoutMs: number): IstioctlRunner {
  return async (req) => {
    const bin = req.objects.length ? await locate() : undefined;
    const [result, invalid] = await Promise.all([analyze(req), bin ? validateObjects(bin, req.objects, req.timeoutMs ?? timeoutMs) : []]);
    if (!invalid.length) return result;
    return { used: true, findings: [...(result.used ? result.findings : []), ...invalid] };
  };
}
