// Public surface of the analysis core (pure).
export * from './types.js';
export { CODES, type CodeInfo, type CodeName } from './codes.js';
export { builtInChecks, subsetsWithoutReadyPods, type CheckOptions, type SubsetReadiness } from './checks.js';
export { isPodReady } from '../model/readiness.js';
export { resolveHost, hostKey, type HostRef } from './hosts.js';
export { covers, matchesEverything } from '../model/matches.js';
export { parseIstioctlAnalyzeJson, type IstioctlParseResult } from './istioctl-output.js';
export { analyzeChange, mergeProposed, dedupeFindings, type AnalyzeChangeInput, type AnalyzeChangeResult } from './run.js';
