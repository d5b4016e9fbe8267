/**
 * Attachment intake: decide a file's type from its bytes (never its name or declared type) and remove
 * location and camera metadata before anything is stored.
 *
 * - JPEG: drop every APPn segment except JFIF (APP0), ICC profile (APP2) and Adobe (APP14), and all comments;
 *   the EXIF orientation survives as a fresh, minimal EXIF block holding only that tag, so photos stay upright.
 * - PNG: drop eXIf, tEXt, zTXt, iTXt and tIME chunks.
 * - WebP: drop EXIF and XMP chunks and clear their flags in VP8X.
 * - GIF: drop comment and application extensions other than the NETSCAPE loop block.
 * - MP4 / MOV / M4A / 3GP (ISO BMFF): every `udta`, `meta` and `uuid` box (where ©xyz GPS, make and model
 *   live) is turned into a zero-filled `free` box of the same size, so offsets in the file stay valid.
 * - MP3: ID3v2 and ID3v1 tags removed. WAV: LIST/id3 chunks removed.
 * - WebM/Ogg/AMR, as recorded by browsers and phones, carry no location; they are stored as sent.
 */

export type MediaKind = 'image' | 'video' | 'audio';
export interface Sniffed {
  kind: MediaKind;
  mime: string;
  ext: string;
}

const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));

/** The type of a file from its first bytes, or null when it is not a photo, video or audio clip we accept. */
export function sniff(b: Uint8Array): Sniffed | null {
  if (b.length < 12) return null;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', mime: 'image/jpeg', ext: 'jpg' };
  if (b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a)
    return { kind: 'image', mime: 'image/png', ext: 'png' };
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { kind: 'image', mime: 'image/gif', ext: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { kind: 'image', mime: 'image/webp', ext: 'webp' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return { kind: 'audio', mime: 'audio/wav', ext: 'wav' };
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (/^(M4A |M4B |mp4a)/.test(brand)) return { kind: 'audio', mime: 'audio/mp4', ext: 'm4a' };
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1|avif)/.test(brand)) return null; // still images in HEIF: not accepted
    if (brand === 'qt  ') return { kind: 'video', mime: 'video/quicktime', ext: 'mov' };
    if (/^3g/.test(brand)) return { kind: 'video', mime: 'video/3gpp', ext: '3gp' };
    return { kind: 'video', mime: 'video/mp4', ext: 'mp4' };
  }
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    // Matroska/WebM: browsers record audio-only WebM too; we cannot tell cheaply, so call it video/webm.
    return { kind: 'video', mime: 'video/webm', ext: 'webm' };
  }
  if (ascii(b, 0, 4) === 'OggS') return { kind: 'audio', mime: 'audio/ogg', ext: 'ogg' };
  if (ascii(b, 0, 5) === '#!AMR') return { kind: 'audio', mime: 'audio/amr', ext: 'amr' };
  if (ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0))
    return { kind: 'audio', mime: 'audio/mpeg', ext: 'mp3' };
  return null;
}

export class MediaError extends Error {
  constructor(readonly reason: 'corrupt') {
    super(reason);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Remove location and camera metadata; returns new bytes (the input is not modified). */
export function stripMetadata(bytes: Uint8Array, type: Sniffed): Uint8Array {
  switch (type.mime) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/webp':
      return stripWebp(bytes);
    case 'image/gif':
      return stripGif(bytes);
    case 'video/mp4':
    case 'video/quicktime':
    case 'video/3gpp':
    case 'audio/mp4':
      return stripIsoBmff(bytes);
    case 'audio/mpeg':
      return stripMp3(bytes);
    case 'audio/wav':
      return stripRiff(bytes, ['LIST', 'id3 ', 'ID3 ', 'bext', 'iXML']);
    default:
      return bytes.slice();
  }
}

/** Read the EXIF orientation (1–8) from an APP1 payload, if present. */
function exifOrientation(app1: Uint8Array): number | null {
  if (ascii(app1, 0, 6) !== 'Exif\0\0') return null;
  const t = app1.subarray(6);
  if (t.length < 8) return null;
  const le = t[0] === 0x49;
  const u16 = (o: number) => (le ? t[o]! | (t[o + 1]! << 8) : (t[o]! << 8) | t[o + 1]!);
  const u32 = (o: number) => (le ? u16(o) + u16(o + 2) * 65536 : u16(o) * 65536 + u16(o + 2));
  const ifd = u32(4);
  if (ifd + 2 > t.length) return null;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > t.length) return null;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** A minimal big-endian EXIF APP1 segment holding only the Orientation tag. */
function orientationSegment(o: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0];
  const payload = [...'Exif\0\0'].map((c) => c.charCodeAt(0)).concat(tiff);
  const len = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, len >> 8, len & 0xff, ...payload]);
}

function stripJpeg(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let orientation: number | null = null;
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) throw new MediaError('corrupt');
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xda) {
      // Start of scan: the rest is image data (and EOI); copy it as is.
      out.push(b.subarray(i));
      break;
    }
    if (marker === 0xd9) {
      out.push(b.subarray(i, i + 2));
      break;
    }
    if (marker >= 0xd0 && marker <= 0xd7) {
      out.push(b.subarray(i, i + 2));
      i += 2;
      continue;
    }
    if (i + 4 > b.length) throw new MediaError('corrupt');
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2 || i + 2 + len > b.length) throw new MediaError('corrupt');
    const seg = b.subarray(i, i + 2 + len);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (marker === 0xe1) orientation ??= exifOrientation(seg.subarray(4));
    const keep = !(isApp && marker !== 0xe0 && marker !== 0xe2 && marker !== 0xee) && marker !== 0xfe;
    if (keep) out.push(seg);
    i += 2 + len;
  }
  if (orientation && orientation !== 1) out.splice(1, 0, orientationSegment(orientation));
  return concat(out);
}

function stripPng(b: Uint8Array): Uint8Array {
  const drop = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let i = 8;
  while (i + 12 <= b.length) {
    const len = ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
    const type = ascii(b, i + 4, 4);
    const end = i + 12 + len;
    if (end > b.length) throw new MediaError('corrupt');
    if (!drop.has(type)) out.push(b.subarray(i, end));
    i = end;
    if (type === 'IEND') break;
  }
  return concat(out);
}

function stripRiff(b: Uint8Array, drop: string[], onKeep?: (type: string, chunk: Uint8Array) => Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  let i = 12;
  while (i + 8 <= b.length) {
    const type = ascii(b, i, 4);
    const len = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | ((b[i + 7]! << 24) >>> 0);
    const end = i + 8 + len + (len & 1);
    if (i + 8 + len > b.length) throw new MediaError('corrupt');
    const chunk = b.subarray(i, Math.min(end, b.length));
    if (!drop.includes(type)) out.push(onKeep ? onKeep(type, chunk) : chunk);
    i = end;
  }
  const body = concat(out);
  const header = b.slice(0, 12);
  const size = body.length + 4;
  header[4] = size & 0xff;
  header[5] = (size >> 8) & 0xff;
  header[6] = (size >> 16) & 0xff;
  header[7] = (size >>> 24) & 0xff;
  return concat([header, body]);
}

function stripWebp(b: Uint8Array): Uint8Array {
  return stripRiff(b, ['EXIF', 'XMP '], (type, chunk) => {
    if (type !== 'VP8X') return chunk;
    const c = chunk.slice();
    c[8] = c[8]! & ~0x0c; // clear the EXIF (0x08) and XMP (0x04) flags
    return c;
  });
}

function stripGif(b: Uint8Array): Uint8Array {
  // Header (6) + logical screen descriptor (7) + optional global colour table.
  let i = 13;
  const flags = b[10]!;
  if (flags & 0x80) i += 3 * (1 << ((flags & 0x07) + 1));
  const out: Uint8Array[] = [b.subarray(0, i)];
  const skipSubBlocks = (j: number) => {
    while (j < b.length && b[j] !== 0) j += b[j]! + 1;
    return j + 1;
  };
  while (i < b.length) {
    const intro = b[i]!;
    if (intro === 0x3b) {
      out.push(b.subarray(i, i + 1));
      break;
    }
    if (intro === 0x21) {
      const label = b[i + 1]!;
      const end = skipSubBlocks(i + 2);
      const isLoop = label === 0xff && ascii(b, i + 3, 8) === 'NETSCAPE';
      if (label === 0xf9 || label === 0x01 || isLoop) out.push(b.subarray(i, end)); // keep GCE, text, loop
      i = end;
      continue;
    }
    if (intro === 0x2c) {
      let j = i + 10;
      const lf = b[i + 9]!;
      if (lf & 0x80) j += 3 * (1 << ((lf & 0x07) + 1));
      j = skipSubBlocks(j + 1); // LZW minimum code size, then data sub-blocks
      out.push(b.subarray(i, j));
      i = j;
      continue;
    }
    throw new MediaError('corrupt');
  }
  return concat(out);
}

/** Rename metadata boxes to `free` in place, walking into container boxes. */
function stripIsoBmff(src: Uint8Array): Uint8Array {
  const b = src.slice();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'moof', 'traf', 'mvex']);
  const metadata = new Set(['udta', 'meta', 'uuid', 'XMP_', 'Xtra']);
  const walk = (start: number, end: number, depth: number) => {
    let i = start;
    while (i + 8 <= end) {
      let size = view.getUint32(i);
      const type = ascii(b, i + 4, 4);
      let header = 8;
      if (size === 1) {
        if (i + 16 > end) throw new MediaError('corrupt');
        size = Number(view.getBigUint64(i + 8));
        header = 16;
      } else if (size === 0) size = end - i;
      if (size < header || i + size > end) throw new MediaError('corrupt');
      if (metadata.has(type)) {
        b.set([0x66, 0x72, 0x65, 0x65], i + 4); // 'free'
        b.fill(0, i + header, i + size); // and its content erased, not just hidden
      }
      else if (containers.has(type) && depth < 8) walk(i + header, i + size, depth + 1);
      i += size;
    }
  };
  walk(0, b.length, 0);
  return b;
}

function stripMp3(b: Uint8Array): Uint8Array {
  let start = 0;
  while (ascii(b, start, 3) === 'ID3' && start + 10 <= b.length) {
    const size = ((b[start + 6]! & 0x7f) << 21) | ((b[start + 7]! & 0x7f) << 14) | ((b[start + 8]! & 0x7f) << 7) | (b[start + 9]! & 0x7f);
    const footer = b[start + 5]! & 0x10 ? 10 : 0;
    start += 10 + size + footer;
  }
  let end = b.length;
  if (end - start >= 128 && ascii(b, end - 128, 3) === 'TAG') end -= 128;
  if (start >= end) throw new MediaError('corrupt');
  return b.slice(start, end);
}
