export const KREW_MODULE: string;
export const KREW_VERSION: string;
export function krewDir(version?: string): string;
export function hasGo(): boolean;
export function ensureKrew(version?: string, log?: (line: string) => void): { krew: string; validate: string };
