// A small SOCKS5 server for tests (RFC 1928 CONNECT, RFC 1929 username/password) on loopback: it sends
// every CONNECT to one upstream port and records what was asked for. Used by the unit tests of
// src/kube/socks5.ts and by the e2e parity test (kubectl, kubectl mesh and istioctl through it).
import net, { type AddressInfo } from 'node:net';

type Tap = { teardown(fn: () => void): void };

export interface SocksOptions {
  /** Required credentials; undefined = no authentication. */
  auth?: { user: string; pass: string };
  /** Reply code to CONNECT (0 = succeeded). */
  reply?: number;
  /** Accept TCP, then never answer. */
  silent?: boolean;
}

export interface Asked {
  atyp: number;
  host: string;
  port: number;
}

/** A SOCKS5 server that sends every CONNECT to `upstream` on loopback, recording what was asked. */
export async function socksServer(t: Tap, upstream: number, o: SocksOptions = {}) {
  const asked: Asked[] = [];
  const methods: number[][] = [];
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    if (o.silent) return;
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' = 'greeting';
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          if (buf.length < 2 || buf.length < 2 + buf[1]) return;
          const offered = [...buf.subarray(2, 2 + buf[1])];
          methods.push(offered);
          buf = buf.subarray(2 + buf[1]);
          const want = o.auth ? 2 : 0;
          if (!offered.includes(want)) {
            sock.end(Buffer.from([5, 0xff]));
            return;
          }
          sock.write(Buffer.from([5, want]));
          stage = o.auth ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (buf.length < 2) return;
          const ulen = buf[1];
          if (buf.length < 3 + ulen || buf.length < 3 + ulen + buf[2 + ulen]) return;
          const user = buf.subarray(2, 2 + ulen).toString();
          const plen = buf[2 + ulen];
          const pass = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
          buf = buf.subarray(3 + ulen + plen);
          const good = user === o.auth!.user && pass === o.auth!.pass;
          if (!good) {
            sock.end(Buffer.from([1, 1]));
            return;
          }
          sock.write(Buffer.from([1, 0]));
          stage = 'request';
        } else {
          if (buf.length < 5) return;
          const atyp = buf[3];
          const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4];
          if (buf.length < 4 + addrLen + 2) return;
          const raw = buf.subarray(4, 4 + addrLen);
          const host =
            atyp === 1
              ? [...raw].join('.')
              : atyp === 4
                ? (raw.toString('hex').match(/.{4}/g) ?? []).map((g) => g.replace(/^0+(?=.)/, '')).join(':')
                : raw.subarray(1).toString();
          const port = buf.readUInt16BE(4 + addrLen);
          const rest = buf.subarray(4 + addrLen + 2);
          asked.push({ atyp, host, port });
          sock.removeListener('data', onData);
          if (o.reply) {
            sock.end(Buffer.from([5, o.reply, 0, 1, 0, 0, 0, 0, 0, 0]));
            return;
          }
          const up = net.connect(upstream, '127.0.0.1', () => {
            // A domain-typed bound address, to exercise the variable-length reply.
            sock.write(Buffer.from([5, 0, 0, 3, 9, ...Buffer.from('localhost'), 0x1f, 0x90]));
            if (rest.length) up.write(rest);
            up.pipe(sock).pipe(up);
          });
          up.on('error', () => sock.destroy());
          return;
        }
      }
    };
    sock.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, asked, methods };
}
