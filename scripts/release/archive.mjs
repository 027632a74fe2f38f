// A minimal, reproducible tar.gz writer (ustar): fixed mtime, uid/gid 0, sorted entries,
// no gzip timestamp. Enough for krew, which wants the executable and LICENSE at the top level.
import { gzipSync } from 'node:zlib';

/** @param {{ name: string, data: Buffer, mode: number }[]} files @param {number} mtime seconds */
export function tarGz(files, mtime) {
  const blocks = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // byte order: locale-free
    blocks.push(header(f.name, f.data.length, f.mode, mtime), f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(name, size, mode, mtime) {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const h = Buffer.alloc(512);
  const put = (text, off, len) => h.write(text, off, len, 'ascii');
  const oct = (n, off, len) => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len);
  put(name, 0, 100);
  oct(mode, 100, 8);
  oct(0, 108, 8); // uid
  oct(0, 116, 8); // gid
  oct(size, 124, 12);
  oct(mtime, 136, 12);
  put('        ', 148, 8); // checksum placeholder: spaces while summing
  put('0', 156, 1); // regular file
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}
