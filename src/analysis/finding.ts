// Building a finding from a code: the one place that fills level, docs link and source.
import type { CodeInfo } from './codes.js';
import type { Finding } from './types.js';

export const finding = (info: CodeInfo, origin: string, message: string, path?: string): Finding => ({
  code: info.code,
  level: info.level,
  origin,
  message,
  ...(info.documentationUrl ? { documentationUrl: info.documentationUrl } : {}),
  source: 'built-in',
  ...(path ? { path } : {}),
});
