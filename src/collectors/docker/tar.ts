import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';

/**
 * A minimal reader of tar headers (ustar, pax and GNU long names) that seeks from header to
 * header: listing a 600 MB `docker save` archive reads a few kilobytes.
 */

export interface TarEntry {
  name: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory, ... */
  type: string;
  size: number;
  /** Where the content starts. */
  offset: number;
  linkName: string;
}

const BLOCK = 512;

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= start && nul < end ? nul : end);
}

function octal(buf: Buffer, start: number, end: number): number {
  // GNU base-256 for sizes over 8 GB: high bit set in the first byte.
  if ((buf[start]! & 0x80) !== 0) {
    let n = 0;
    for (let i = start + 1; i < end; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const text = cString(buf, start, end).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function paxRecords(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    const len = Number.parseInt(buf.toString('latin1', pos, space), 10);
    if (space < 0 || !(len > 0)) break;
    const record = buf.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

export class TarFormatError extends Error {}

export async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

export async function listTar(fh: FileHandle, maxEntries = 100_000): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (entries.size < maxEntries) {
    const header = await readAt(fh, pos, BLOCK);
    if (header.length < BLOCK || header.every((b) => b === 0)) break;
    if (pos === 0 && header.toString('latin1', 257, 262) !== 'ustar') {
      throw new TarFormatError(
        header[0] === 0x1f && header[1] === 0x8b ? 'gzip-compressed: gunzip it first' : 'not a tar file',
      );
    }
    const size = octal(header, 124, 136);
    const type = String.fromCharCode(header[156] || 0x30);
    const offset = pos + BLOCK;
    pos = offset + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'K' || type === 'x') {
      const content = await readAt(fh, offset, Math.min(size, 1 << 20));
      if (type === 'x') pax = paxRecords(content);
      else if (type === 'L') longName = cString(content, 0, content.length);
      else longLink = cString(content, 0, content.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = cString(header, 345, 500);
    const shortName = cString(header, 0, 100);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${shortName}` : shortName);
    const linkName = pax.linkpath ?? longLink ?? cString(header, 157, 257);
    const realSize = pax.size ? Number(pax.size) : size;
    entries.set(posix.normalize(name).replace(/^\.\//, '').replace(/\/$/, ''), {
      name,
      type,
      size: realSize,
      offset,
      linkName,
    });
    longName = longLink = undefined;
    pax = {};
  }
  return entries;
}

/** The entry a path names, following symlinks and hard links (bounded). */
export function resolveEntry(entries: Map<string, TarEntry>, path: string): TarEntry | undefined {
  let key = posix.normalize(path).replace(/^\.\//, '');
  for (let hops = 0; hops < 8; hops++) {
    const e = entries.get(key);
    if (!e || (e.type !== '2' && e.type !== '1')) return e;
    key =
      e.type === '1'
        ? posix.normalize(e.linkName)
        : posix.normalize(posix.join(posix.dirname(key), e.linkName));
    key = key.replace(/^\.\//, '');
  }
  return undefined;
}

export async function readEntry(fh: FileHandle, e: TarEntry, maxBytes = 16 << 20): Promise<string> {
  if (e.size > maxBytes) throw new TarFormatError(`${e.name} is larger than ${maxBytes} bytes`);
  return (await readAt(fh, e.offset, e.size)).toString('utf8');
}
