/**
 * Attachment intake: decide a file's type from its bytes (never its name or declared type) and remove
 * location and camera metadata before anything is stored.
 *
 * - JPEG: every marker segment is walked, including those between the scans of a progressive JPEG: all APPn
 *   segments are dropped except JFIF (APP0), an ICC profile (APP2 `ICC_PROFILE`) and Adobe (APP14), and all
 *   comments; so is everything after EOI — the secondary images of an MPF file (each with its own EXIF/GPS)
 *   and a motion photo's MP4 trailer (a motion photo is stored as its still photo). The EXIF orientation
 *   survives as a fresh, minimal EXIF block holding only that tag, so photos stay upright.
 * - PNG: drop eXIf, tEXt, zTXt, iTXt and tIME chunks, and anything after IEND.
 * - WebP: drop EXIF and XMP chunks and clear their flags in VP8X.
 * - GIF: drop comment and application extensions other than the NETSCAPE loop block.
 * - MP4 / MOV / M4A / 3GP (ISO BMFF): every `udta`, `meta` and `uuid` box (where ©xyz GPS, make and model
 *   live) is turned into a zero-filled `free` box of the same size, so offsets in the file stay valid. Every
 *   track that is neither video nor sound (timed metadata: GoPro `gpmd` and Apple `mebx` under a `meta`
 *   handler, Google `camm`, subtitle and text tracks that drones fill with coordinates, timecode) goes the
 *   same way, and its samples in `mdat` are zeroed too, so the GPS fixes are gone and not only unindexed.
 *   This is done in place: a 50 MB video is never held twice.
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
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')
    return { kind: 'image', mime: 'image/gif', ext: 'gif' };
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

/**
 * Remove location and camera metadata. Returns the clean bytes: for ISO BMFF (video) these are the input
 * itself, changed in place so a large video is never copied; other types come back as new bytes.
 */
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

/** APPn segments that carry no location or owner: JFIF, an ICC colour profile, Adobe's colour transform. */
function keepApp(marker: number, seg: Uint8Array): boolean {
  const id = ascii(seg, 4, 12);
  if (marker === 0xe0) return id.startsWith('JFIF\0');
  if (marker === 0xe2) return id === 'ICC_PROFILE\0';
  if (marker === 0xee) return id.startsWith('Adobe');
  return false;
}

function stripJpeg(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let orientation: number | null = null;
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff || i + 1 >= b.length) throw new MediaError('corrupt');
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xd8) {
      // EOI ends the image: MPF secondary images, motion-photo videos and any other trailer are left behind.
      // (A second SOI means the next image began without this one's EOI: it ends here too.)
      out.push(new Uint8Array([0xff, 0xd9]));
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out.push(b.subarray(i, i + 2));
      i += 2;
      continue;
    }
    if (i + 4 > b.length) throw new MediaError('corrupt');
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2 || i + 2 + len > b.length) throw new MediaError('corrupt');
    if (marker === 0xda) {
      // Start of scan: its header, then entropy-coded data up to the next real marker (0xFF00 is a stuffed
      // byte, RSTn markers belong to the scan). A progressive JPEG has several scans, with tables — and
      // possibly APPn segments — between them; the loop goes on from that marker.
      let j = i + 2 + len;
      for (;;) {
        j = b.indexOf(0xff, j);
        if (j < 0 || j + 1 >= b.length) {
          j = b.length; // no EOI: the scan runs to the end of the file
          break;
        }
        const m = b[j + 1]!;
        if (m === 0x00 || (m >= 0xd0 && m <= 0xd7)) j += 2;
        else if (m === 0xff) j += 1;
        else break;
      }
      out.push(b.subarray(i, j));
      i = j;
      continue;
    }
    const seg = b.subarray(i, i + 2 + len);
    if (marker === 0xe1) orientation ??= exifOrientation(seg.subarray(4));
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (isApp ? keepApp(marker, seg) : marker !== 0xfe) out.push(seg);
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

function stripRiff(
  b: Uint8Array,
  drop: string[],
  onKeep?: (type: string, chunk: Uint8Array) => Uint8Array,
): Uint8Array {
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

/** Tracks whose samples are pictures or sound; every other track (timed metadata, text, timecode) is dropped. */
const MEDIA_HANDLERS = new Set(['vide', 'soun']);

/** Rename metadata boxes and non-media tracks to zero-filled `free` boxes, in place, walking into containers. */
function stripIsoBmff(b: Uint8Array): Uint8Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'moof', 'traf', 'mvex']);
  const metadata = new Set(['udta', 'meta', 'uuid', 'XMP_', 'Xtra']);
  /** Track ids of dropped tracks, so their fragments (`traf` in `moof`) go too. */
  const dropped = new Set<number>();

  /** The boxes directly inside [start, end): type, payload start and end. */
  const boxes = (start: number, end: number) => {
    const list: { type: string; at: number; body: number; end: number }[] = [];
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
      list.push({ type, at: i, body: i + header, end: i + size });
      i += size;
    }
    return list;
  };
  const child = (start: number, end: number, type: string) => boxes(start, end).find((x) => x.type === type);
  const erase = (box: { at: number; body: number; end: number }) => {
    b.set([0x66, 0x72, 0x65, 0x65], box.at + 4); // 'free'
    b.fill(0, box.body, box.end); // and its content erased, not just hidden
  };
  const zero = (from: number, len: number) => {
    if (from < b.length && len > 0) b.fill(0, from, Math.min(b.length, from + len));
  };

  /** Zero the samples a track's sample table points at (chunk offsets × samples per chunk × sizes). */
  const zeroSamples = (stbl: { body: number; end: number }) => {
    const kids = boxes(stbl.body, stbl.end);
    const get = (t: string) => kids.find((k) => k.type === t);
    const stsz = get('stsz');
    const stz2 = get('stz2');
    const stco = get('stco') ?? get('co64');
    const stsc = get('stsc');
    if (!stco || !stsc || !(stsz || stz2)) return;
    const wide = stco.type === 'co64';
    const chunks = Math.min(view.getUint32(stco.body + 4), Math.floor((stco.end - stco.body - 8) / (wide ? 8 : 4)));
    const chunkAt = (k: number) =>
      Number(wide ? view.getBigUint64(stco.body + 8 + k * 8) : view.getUint32(stco.body + 8 + k * 4));
    let count: number;
    let fixed = 0;
    let sizeOf: (n: number) => number;
    if (stsz) {
      fixed = view.getUint32(stsz.body + 4);
      count = Math.min(
        view.getUint32(stsz.body + 8),
        fixed ? Number.MAX_SAFE_INTEGER : Math.floor((stsz.end - stsz.body - 12) / 4),
      );
      sizeOf = (n) => fixed || view.getUint32(stsz.body + 12 + n * 4);
    } else {
      const bits = b[stz2!.body + 7]!;
      count = Math.min(
        view.getUint32(stz2!.body + 8),
        Math.floor(((stz2!.end - stz2!.body - 12) * 8) / Math.max(bits, 4)),
      );
      sizeOf = (n) => {
        const at = stz2!.body + 12;
        if (bits === 16) return view.getUint16(at + n * 2);
        if (bits === 8) return b[at + n]!;
        const byte = b[at + (n >> 1)]!;
        return n & 1 ? byte & 0x0f : byte >> 4;
      };
    }
    const runs = Math.min(view.getUint32(stsc.body + 4), Math.floor((stsc.end - stsc.body - 8) / 12));
    let sample = 0;
    for (let r = 0; r < runs && sample < count; r++) {
      const first = view.getUint32(stsc.body + 8 + r * 12) - 1;
      const perChunk = view.getUint32(stsc.body + 12 + r * 12);
      const last = r + 1 < runs ? view.getUint32(stsc.body + 8 + (r + 1) * 12) - 1 : chunks;
      for (let k = first; k < Math.min(last, chunks) && sample < count; k++) {
        let at = chunkAt(k);
        if (fixed) {
          // One fill per chunk: the loop is bounded by the table sizes, never by a count the file claims.
          const n = Math.min(perChunk, count - sample);
          zero(at, n * fixed);
          sample += n;
          continue;
        }
        for (let s = 0; s < perChunk && sample < count; s++, sample++) {
          const size = sizeOf(sample);
          zero(at, size);
          at += size;
        }
      }
    }
  };

  /** A track fragment of a dropped track: zero the samples its runs point at (when they say where). */
  const zeroFragment = (moofAt: number, traf: { body: number; end: number }) => {
    const tfhd = child(traf.body, traf.end, 'tfhd');
    if (!tfhd) return;
    const flags = view.getUint32(tfhd.body) & 0xffffff;
    let o = tfhd.body + 8;
    let base = moofAt;
    if (flags & 0x01) {
      base = Number(view.getBigUint64(o));
      o += 8;
    }
    if (flags & 0x02) o += 4;
    if (flags & 0x08) o += 4;
    const defaultSize = flags & 0x10 ? view.getUint32(o) : 0;
    for (const trun of boxes(traf.body, traf.end).filter((x) => x.type === 'trun')) {
      const tf = view.getUint32(trun.body) & 0xffffff;
      const n = view.getUint32(trun.body + 4);
      let p = trun.body + 8;
      let at = base;
      if (tf & 0x01) {
        at = base + view.getInt32(p);
        p += 4;
      }
      if (tf & 0x04) p += 4;
      const step = [0x100, 0x200, 0x400, 0x800].filter((f) => tf & f).length * 4;
      if (!(tf & 0x200)) {
        zero(at, Math.min(n, b.length) * defaultSize); // every sample has the default size
        continue;
      }
      for (let s = 0; s < n && p + step <= trun.end; s++) {
        const size = tf & 0x200 ? view.getUint32(p + (tf & 0x100 ? 4 : 0)) : defaultSize;
        zero(at, size);
        at += size;
        p += step;
      }
    }
  };

  const handlerOf = (trak: { body: number; end: number }) => {
    const mdia = child(trak.body, trak.end, 'mdia');
    const hdlr = mdia && child(mdia.body, mdia.end, 'hdlr');
    return hdlr && hdlr.body + 12 <= hdlr.end ? ascii(b, hdlr.body + 8, 4) : '';
  };

  const walk = (start: number, end: number, depth: number, moofAt = 0) => {
    for (const box of boxes(start, end)) {
      if (metadata.has(box.type)) erase(box);
      else if (box.type === 'trak' && !MEDIA_HANDLERS.has(handlerOf(box))) {
        const tkhd = child(box.body, box.end, 'tkhd');
        if (tkhd) dropped.add(view.getUint32(tkhd.body + (b[tkhd.body] === 1 ? 20 : 12)));
        const mdia = child(box.body, box.end, 'mdia');
        const minf = mdia && child(mdia.body, mdia.end, 'minf');
        const stbl = minf && child(minf.body, minf.end, 'stbl');
        if (stbl) zeroSamples(stbl);
        erase(box);
      } else if (box.type === 'traf') {
        const tfhd = child(box.body, box.end, 'tfhd');
        if (tfhd && dropped.has(view.getUint32(tfhd.body + 4))) {
          zeroFragment(moofAt, box);
          erase(box);
        } else if (depth < 8) walk(box.body, box.end, depth + 1, moofAt);
      } else if (containers.has(box.type) && depth < 8)
        walk(box.body, box.end, depth + 1, box.type === 'moof' ? box.at : moofAt);
    }
  };
  walk(0, b.length, 0);
  return b;
}

function stripMp3(b: Uint8Array): Uint8Array {
  let start = 0;
  while (ascii(b, start, 3) === 'ID3' && start + 10 <= b.length) {
    const size =
      ((b[start + 6]! & 0x7f) << 21) |
      ((b[start + 7]! & 0x7f) << 14) |
      ((b[start + 8]! & 0x7f) << 7) |
      (b[start + 9]! & 0x7f);
    const footer = b[start + 5]! & 0x10 ? 10 : 0;
    start += 10 + size + footer;
  }
  let end = b.length;
  if (end - start >= 128 && ascii(b, end - 128, 3) === 'TAG') end -= 128;
  if (start >= end) throw new MediaError('corrupt');
  return b.subarray(start, end);
}
