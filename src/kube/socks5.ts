// A SOCKS5 CONNECT client (RFC 1928, username/password auth of RFC 1929) for `proxy-url: socks5://…`
// and `socks5h://…`, as kubectl accepts them. socks5 resolves the API server's name here and sends
// the address; socks5h sends the name for the proxy to resolve (curl's meaning of the two schemes).
// kubectl (Go) sends the name for both, so a name that does not resolve here is sent as it is.
// The caller bounds the whole exchange (dial.ts: the same limit as an HTTP CONNECT tunnel).
import { lookup } from 'node:dns/promises';
import net from 'node:net';

const VERSION = 5;
const NO_AUTH = 0x00;
const USER_PASS = 0x02;
const NO_ACCEPTABLE = 0xff;
const CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;

/** RFC 1928 section 6. */
const REPLIES: Record<number, string> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

export const isSocksProxy = (proxy: URL): boolean => proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:';

const proxyError = (message: string): Error => Object.assign(new Error(message), { code: 'EPROXY_MESH' });

/** Reads exactly n bytes from a socket in paused mode; what follows stays in the socket. */
class Reader {
  #buf = Buffer.alloc(0);
  #want = 0;
  #wake?: () => void;
  #fail?: (err: Error) => void;
  #ended: Error | undefined;
  readonly #onEnd: () => void;
  readonly #onError = (err: Error): void => {
    this.#stop(err);
  };

  constructor(
    private readonly socket: net.Socket,
    what: string,
  ) {
    this.#onEnd = () => {
      this.#stop(proxyError(`${what} closed the connection during the SOCKS5 handshake`));
    };
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    if (this.#buf.length >= this.#want) this.#wake?.();
  };

  #stop(err: Error): void {
    this.#ended ??= err;
    this.#fail?.(err);
  }

  async read(n: number): Promise<Buffer> {
    if (this.#buf.length < n) {
      if (this.#ended) throw this.#ended;
      this.#want = n;
      await new Promise<void>((resolve, reject) => {
        this.#wake = resolve;
        this.#fail = reject;
      });
      this.#wake = this.#fail = undefined;
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Stops listening and puts back what was read beyond the handshake, for TLS to read. */
  release(): void {
    this.socket.removeListener('data', this.#onData);
    this.socket.removeListener('end', this.#onEnd);
    this.socket.removeListener('error', this.#onError);
    this.socket.pause();
    if (this.#buf.length) this.socket.unshift(this.#buf);
  }
}

/** The destination as SOCKS5 encodes it: ATYP, address, port. socks5 resolves a name first. */
async function destination(host: string, port: number, remoteDns: boolean): Promise<Buffer> {
  let addr = host;
  if (!net.isIP(addr) && !remoteDns) {
    // A name only the far side knows still works, as with kubectl (Go sends the name for both schemes).
    addr = await lookup(host).then(
      (a) => a.address,
      () => host,
    );
  }
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  if (net.isIPv4(addr)) return Buffer.concat([Buffer.from([ATYP_IPV4, ...addr.split('.').map(Number)]), portBytes]);
  if (net.isIPv6(addr)) return Buffer.concat([Buffer.from([ATYP_IPV6]), ipv6Bytes(addr), portBytes]);
  const name = Buffer.from(addr);
  if (name.length > 255) throw proxyError(`host name ${host} is too long for SOCKS5 (at most 255 bytes)`);
  return Buffer.concat([Buffer.from([ATYP_DOMAIN, name.length]), name, portBytes]);
}

function ipv6Bytes(ip: string): Buffer {
  let text = ip.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/**
 * Asks the SOCKS5 proxy on `socket` (already connected) to CONNECT to host:port. Resolves when the
 * tunnel is open; the socket then carries the bytes to the destination.
 */
export async function socks5Handshake(socket: net.Socket, proxy: URL, host: string, port: number): Promise<void> {
  const name = `socks5 proxy ${proxy.host}`;
  const reader = new Reader(socket, name);
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  socket.write(Buffer.from(user ? [VERSION, 2, NO_AUTH, USER_PASS] : [VERSION, 1, NO_AUTH]));
  const [version, method] = await reader.read(2);
  if (version !== VERSION) throw proxyError(`${name} did not answer as a SOCKS5 server`);
  if (method === USER_PASS) {
    if (!user) throw proxyError(`${name} requires a username and password; put them in proxy-url (socks5://USER:PASSWORD@HOST:PORT)`);
    const u = Buffer.from(user);
    const p = Buffer.from(pass);
    if (u.length > 255 || p.length > 255) throw proxyError(`username or password too long for ${name} (at most 255 bytes each)`);
    socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
    const [, status] = await reader.read(2);
    if (status !== 0) throw proxyError(`${name} rejected the username and password in proxy-url`);
  } else if (method === NO_ACCEPTABLE) {
    throw proxyError(
      user
        ? `${name} accepts neither no authentication nor a username and password`
        : `${name} requires authentication; put a username and password in proxy-url`,
    );
  } else if (method !== NO_AUTH) {
    throw proxyError(`${name} chose an authentication method we did not offer (${method})`);
  }
  const target = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  socket.write(Buffer.concat([Buffer.from([VERSION, CONNECT, 0]), await destination(host, port, proxy.protocol === 'socks5h:')]));
  const [, reply, , atyp] = await reader.read(4);
  if (reply !== 0) throw proxyError(`${name} refused CONNECT ${target}: ${REPLIES[reply] ?? `reply ${reply}`}`);
  // The bound address the proxy reports: read and drop it, so TLS starts at the destination's bytes.
  const length = atyp === ATYP_IPV4 ? 4 : atyp === ATYP_IPV6 ? 16 : atyp === ATYP_DOMAIN ? (await reader.read(1))[0] : -1;
  if (length < 0) throw proxyError(`${name} sent an unreadable CONNECT reply (address type ${atyp})`);
  await reader.read(length + 2);
  reader.release();
}
