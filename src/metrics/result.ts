// Prometheus' instant-vector answers → plain numbers. NaN and ±Inf (0/0 when a workload's series
// exist but saw no requests in the window) count as no data.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export function parseVector(body: unknown): Sample[] {
  const data = (body as { status?: string; data?: { resultType?: string; result?: unknown } })?.data;
  if ((body as { status?: string })?.status !== 'success' || !data) throw new Error(errorOf(body));
  if (data.resultType === 'scalar') {
    const v = sampleValue(data.result);
    return v === undefined ? [] : [{ labels: {}, value: v }];
  }
  if (data.resultType !== 'vector' || !Array.isArray(data.result))
    throw new Error(`expected an instant vector, got ${String(data.resultType)}`);
  return data.result.flatMap((r: { metric?: Record<string, string>; value?: unknown }) => {
    const v = sampleValue(r?.value);
    return v === undefined ? [] : [{ labels: r.metric ?? {}, value: v }];
  });
}

function sampleValue(pair: unknown): number | undefined {
  if (!Array.isArray(pair) || pair.length < 2) return undefined;
  const v = Number(pair[1]);
  return Number.isFinite(v) ? v : undefined;
}

export function errorOf(body: unknown): string {
  const b = body as { error?: string; errorType?: string } | string | undefined;
  if (typeof b === 'string') return b.trim().split('\n')[0].slice(0, 200) || 'empty answer';
  return b?.error ? `${b.errorType ? `${b.errorType}: ` : ''}${b.error}` : 'unexpected answer';
}

/** The one value for workload `w` (and metric `m`, when tagged). */
export const valueFor = (samples: Sample[], w: string, m?: string): number | undefined =>
  samples.find((s) => s.labels.destination_workload === w && (m === undefined || s.labels.metric === m))?.value;
