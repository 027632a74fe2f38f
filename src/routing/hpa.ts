// Each version's HPA scaled in proportion to its traffic weight, from a baseline recorded
// (as an annotation on the HPA) the first time we scale it. Never below one replica.
import { HPA_BASELINE_ANNOTATION } from '../model/names.js';
import type { HorizontalPodAutoscaler as Hpa, Version, WeightedSubset } from './types.js';

interface Baseline {
  min: number;
  max: number;
}

export const hpaFor = (hpas: Hpa[], deployment: string): Hpa | undefined =>
  hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment);

const baselineOf = (h: Hpa): Baseline => {
  const raw = h.metadata.annotations?.[HPA_BASELINE_ANNOTATION];
  if (raw) {
    // A hand-edited baseline of the wrong shape is re-recorded from the HPA as it is now.
    try {
      const b = JSON.parse(raw) as Baseline;
      if (Number.isSafeInteger(b?.min) && Number.isSafeInteger(b.max) && b.min >= 1 && b.max >= b.min) return b;
    } catch {
      /* re-record below */
    }
  }
  return { min: h.spec?.minReplicas ?? 1, max: h.spec?.maxReplicas ?? 1 };
};

export function scaledReplicas(base: Baseline, weight: number): Baseline {
  const min = Math.max(1, Math.ceil((base.min * weight) / 100));
  const max = Math.max(min, Math.ceil((base.max * weight) / 100));
  return { min, max };
}

const withReplicas = (h: Hpa, r: Baseline, annotations: Record<string, string> | undefined): Hpa => {
  const { annotations: _old, ...metadata } = h.metadata;
  return {
    ...h,
    metadata: annotations ? { ...h.metadata, annotations } : metadata,
    spec: { ...h.spec, minReplicas: r.min, maxReplicas: r.max },
  };
};

/**
 * [before, after] for the HPAs of the weighted versions; an HPA we scaled earlier whose version
 * left the split gets its baseline back.
 */
export function scaleToWeights(hpas: Hpa[], versions: Version[], weights: WeightedSubset[]): [Hpa, Hpa][] {
  const out: [Hpa, Hpa][] = [];
  for (const { subset, weight } of weights) {
    const version = versions.find((v) => v.subset === subset);
    const hpa = version && hpaFor(hpas, version.deployment);
    if (!hpa) continue;
    const base = baselineOf(hpa);
    const annotations = { ...hpa.metadata.annotations, [HPA_BASELINE_ANNOTATION]: JSON.stringify(base) };
    out.push([hpa, withReplicas(hpa, scaledReplicas(base, weight), annotations)]);
  }
  const left = restoreBaselines(hpas).filter(([h]) => !out.some(([o]) => o === h));
  return [...out, ...left];
}

/** Puts every HPA we scaled back to its baseline and forgets the baseline. */
export function restoreBaselines(hpas: Hpa[]): [Hpa, Hpa][] {
  return hpas
    .filter((h) => h.metadata.annotations?.[HPA_BASELINE_ANNOTATION])
    .map((h) => {
      const { [HPA_BASELINE_ANNOTATION]: _dropped, ...rest } = h.metadata.annotations!;
      return [h, withReplicas(h, baselineOf(h), Object.keys(rest).length ? rest : undefined)] as [Hpa, Hpa];
    });
}
