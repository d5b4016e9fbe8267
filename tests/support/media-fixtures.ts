/**
 * Small but structurally real media files for tests: a JPEG carrying EXIF with GPS, camera make and an
 * orientation; a PNG with text and eXIf chunks; an MP4 whose moov holds a udta ©xyz location box.
 */
import { b64, cat } from './media-samples';

const enc = new TextEncoder();

/** A valid 1×1 baseline JPEG (SOI, JFIF, DQT, SOF0, DHT, SOS, EOI). */
export const TINY_JPEG = b64(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
);

export const SECRET_MAKE = 'SpyCam-9000';
export const SECRET_PLACE = '+36.9812+117.1734/';

/** EXIF (big-endian TIFF): IFD0 with Make, Orientation=6 and a GPS IFD pointer; GPS IFD with latitude ref. */
function exifApp1(): Uint8Array {
  const make = enc.encode(`${SECRET_MAKE}\0`);
  // IFD0 at offset 8: 3 entries (12 bytes each) + next-IFD pointer. Make string after it; GPS IFD after that.
  const ifd0 = 8;
  const makeOff = ifd0 + 2 + 3 * 12 + 4;
  const gpsOff = makeOff + make.length + (make.length % 2);
  const u16 = (v: number) => [v >> 8, v & 255];
  const u32 = (v: number) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];
  const tiff = cat(
    [0x4d, 0x4d, 0, 42],
    u32(ifd0),
    u16(3),
    [...u16(0x010f), ...u16(2), ...u32(make.length), ...u32(makeOff)], // Make
    [...u16(0x0112), ...u16(3), ...u32(1), ...u16(6), 0, 0], // Orientation = 6
    [...u16(0x8825), ...u16(4), ...u32(1), ...u32(gpsOff)], // GPS IFD pointer
    u32(0),
    make,
    make.length % 2 ? [0] : [],
    u16(1),
    [...u16(0x0001), ...u16(2), ...u32(2), 0x4e, 0, 0, 0], // GPSLatitudeRef = "N"
    u32(0),
    enc.encode(`GPS${SECRET_PLACE}`),
  );
  const payload = cat(enc.encode('Exif\0\0'), tiff);
  return cat([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255], payload);
}

function xmpApp1(): Uint8Array {
  const payload = enc.encode(
    `http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>${SECRET_PLACE}</exif:GPSLatitude></x:xmpmeta>`,
  );
  return cat([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255], payload);
}

function comment(): Uint8Array {
  const payload = enc.encode(`taken by ${SECRET_MAKE}`);
  return cat([0xff, 0xfe, (payload.length + 2) >> 8, (payload.length + 2) & 255], payload);
}

/** TINY_JPEG with EXIF (GPS, make, orientation 6), XMP and a comment inserted after JFIF. */
export function jpegWithMetadata(): Uint8Array {
  const jfifEnd = 2 + 2 + ((TINY_JPEG[4]! << 8) | TINY_JPEG[5]!);
  return cat(TINY_JPEG.subarray(0, jfifEnd), exifApp1(), xmpApp1(), comment(), TINY_JPEG.subarray(jfifEnd));
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const t = enc.encode(type);
  const len = data.length;
  const crc = crc32(cat(t, data));
  return cat([len >>> 24, (len >> 16) & 255, (len >> 8) & 255, len & 255], t, data, [
    crc >>> 24,
    (crc >> 16) & 255,
    (crc >> 8) & 255,
    crc & 255,
  ]);
}

/** A 1×1 PNG with tEXt (GPS), iTXt, eXIf and tIME chunks around the image data. */
export function pngWithMetadata(): Uint8Array {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = pngChunk('IHDR', new Uint8Array([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
  const idat = pngChunk('IDAT', b64('eJxjYAAAAAIAAeUn3NY='));
  return cat(
    sig,
    ihdr,
    pngChunk('tEXt', enc.encode(`Location\0${SECRET_PLACE}`)),
    pngChunk('eXIf', enc.encode(`MM\0*${SECRET_MAKE}`)),
    pngChunk('tIME', new Uint8Array([7, 234, 11, 22, 10, 0, 0])),
    idat,
    pngChunk('iTXt', enc.encode(`Camera\0\0\0\0\0${SECRET_MAKE}`)),
    pngChunk('IEND', new Uint8Array()),
  );
}

function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const body = cat(...children);
  const size = body.length + 8;
  const fourcc = Array.from(type, (c) => c.charCodeAt(0)); // latin-1: '©' is the single byte 0xA9
  return cat([size >>> 24, (size >> 16) & 255, (size >> 8) & 255, size & 255], fourcc, body);
}

/** An ISO BMFF (MP4) file: ftyp, moov{mvhd, udta{©xyz}, trak{meta}}, mdat. */
export function mp4WithLocation(): Uint8Array {
  return cat(
    box('ftyp', enc.encode('isom'), new Uint8Array(4), enc.encode('isomiso2mp41')),
    box(
      'moov',
      box('mvhd', new Uint8Array(100)),
      box('udta', box('\u00a9xyz', enc.encode(SECRET_PLACE)), box('\u00a9mak', enc.encode(SECRET_MAKE))),
      box('trak', box('tkhd', new Uint8Array(84)), box('meta', enc.encode(SECRET_MAKE))),
    ),
    box('mdat', new Uint8Array(64).fill(7)),
  );
}

const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const syncsafe = (n: number) => [(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127];

/** An MP3: an ID3v2.3 tag (a TXXX frame holding a place), two MPEG-1 Layer III frames, an ID3v1 tag (artist). */
export function mp3WithTags(): Uint8Array {
  const value = cat([0], enc.encode('location'), [0], enc.encode(SECRET_PLACE));
  const frame = cat(
    enc.encode('TXXX'),
    [(value.length >>> 24) & 255, (value.length >> 16) & 255, (value.length >> 8) & 255, value.length & 255],
    [0, 0],
    value,
  );
  const id3v2 = cat(enc.encode('ID3'), [3, 0, 0], syncsafe(frame.length), frame);
  const mpegFrame = cat([0xff, 0xfb, 0x90, 0x64], new Uint8Array(413).fill(0x55)); // 128 kbit/s, 44.1 kHz: 417 bytes
  const id3v1 = new Uint8Array(128);
  id3v1.set(enc.encode('TAG'), 0);
  id3v1.set(enc.encode(SECRET_MAKE), 33); // artist field
  return cat(id3v2, mpegFrame, mpegFrame, id3v1);
}

/** A WAV: fmt and data chunks around a LIST/INFO chunk naming the recorder. */
export function wavWithList(): Uint8Array {
  const chunk = (type: string, body: Uint8Array) =>
    cat(enc.encode(type), le32(body.length), body, body.length & 1 ? [0] : []);
  const fmt = chunk('fmt ', new Uint8Array([1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0])); // PCM mono 8 kHz 16-bit
  const info = chunk(
    'LIST',
    cat(
      enc.encode('INFO'),
      chunk('IART', enc.encode(`${SECRET_MAKE}\0`)),
      chunk('ICMT', enc.encode(`${SECRET_PLACE}\0`)),
    ),
  );
  const data = chunk('data', new Uint8Array(64).fill(3));
  const body = cat(enc.encode('WAVE'), fmt, info, data);
  return cat(enc.encode('RIFF'), le32(body.length), body);
}

export const contains = (hay: Uint8Array, needle: string) => new TextDecoder('latin1').decode(hay).includes(needle);
