// Progress of a --wait: at a terminal one line that updates in place ("2 of 3 proxies synced");
// elsewhere one plain line each time the count changes, so logs show every step and no escapes.
import type { Context } from '../context.js';
import { proxyName, type SyncVerdict } from '../routing/proxy-sync.js';

const CLEAR = '\r\u001b[2K';

export interface SyncProgress {
  update(v: SyncVerdict): void;
  /** Ends the in-place line (if any) before the final message. */
  done(): void;
}

export function syncProgress(ctx: Context): SyncProgress {
  const tty = Boolean(ctx.streams.stderr.isTTY) && ctx.env.TERM !== 'dumb' && !ctx.env.CI;
  let last = '';
  let drawn = false;
  return {
    update(v) {
      if (!v.total) return; // nothing to count; the final line says so
      const stale = v.stale.length
        ? ` (waiting for ${v.stale
            .slice(0, 3)
            .map((s) => proxyName(s.id))
            .join(', ')}${v.stale.length > 3 ? ', …' : ''})`
        : '';
      const line = `mesh: ${v.synced.length} of ${v.total} prox${v.total === 1 ? 'y' : 'ies'} synced${stale}`;
      if (line === last) return;
      last = line;
      if (tty) {
        ctx.streams.stderr.write(`${CLEAR}${line}`);
        drawn = true;
      } else ctx.note(line);
    },
    done() {
      if (drawn) ctx.streams.stderr.write(CLEAR);
      drawn = false;
    },
  };
}
