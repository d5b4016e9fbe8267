/**
 * Location metadata in the places the first stripper never looked: between the scans of a progressive JPEG,
 * after EOI (MPF secondary images, motion-photo videos), and in MP4 timed-metadata tracks. Each file goes
 * through the real upload route and is read back from R2. (tests/e2e/media-exiftool.test.ts checks the same
 * kinds of file with exiftool.)
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { contains, jpegWithMetadata } from '../support/media-fixtures';
import {
  appSegment,
  BASELINE_JPEG,
  betweenScans,
  box,
  cammSample,
  cat,
  gpmfSample,
  jpegMarkers,
  motionPhoto,
  mp4,
  mp4WithGpsTracks,
  mpf,
  PROGRESSIVE_JPEG,
} from '../support/media-samples';
import { upload } from '../support/tips';

const PLACE = 'GPS 36.98121,117.17342';

async function stored(res: Response) {
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  const row = await env.DB.prepare('SELECT r2_key FROM attachments WHERE id = ?').bind(id).first<{ r2_key: string }>();
  return new Uint8Array(await (await env.FILES.get(row!.r2_key))!.arrayBuffer());
}

const indexOf = (hay: Uint8Array, needle: Uint8Array) => {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
};

describe('POST /api/uploads removes location hidden beyond the first scan', () => {
  it('POST /api/uploads drops APPn segments between the scans of a progressive JPEG, keeping every scan', async () => {
    const exif = appSegment(1, `Exif\0\0MM\0*${PLACE}`);
    const xmp = appSegment(1, `http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${PLACE}</x:xmpmeta>`);
    const original = betweenScans(PROGRESSIVE_JPEG, exif, appSegment(13, `Photoshop 3.0\0${PLACE}`), xmp);
    expect(contains(original, PLACE)).toBe(true);
    const bytes = await stored(await upload(original));
    expect(contains(bytes, PLACE)).toBe(false);
    // The picture is intact: the same scans in the same order, byte for byte, ending in EOI.
    expect(Array.from(bytes)).toEqual(Array.from(PROGRESSIVE_JPEG));
    expect(jpegMarkers(bytes).filter(([m]) => m === 0xda)).toHaveLength(7);
  });

  it('POST /api/uploads stores only the primary image of an MPF file (its secondary images carry their own GPS)', async () => {
    const second = cat(jpegWithMetadata(), [0xff, 0xd9]);
    const original = mpf(PROGRESSIVE_JPEG, second, BASELINE_JPEG);
    expect(contains(original, 'MPF\0') && contains(original, 'SpyCam-9000')).toBe(true);
    const bytes = await stored(await upload(original));
    expect(Array.from(bytes)).toEqual(Array.from(PROGRESSIVE_JPEG)); // the MPF index (APP2) and both trailers gone
    expect(contains(bytes, 'SpyCam-9000') || contains(bytes, 'MPF')).toBe(false);
  });

  it('POST /api/uploads stores a motion photo as its still photo, without the MP4 after EOI', async () => {
    const video = mp4WithGpsTracks(36.98121, 117.17342).bytes;
    const still = cat(
      PROGRESSIVE_JPEG.subarray(0, 2),
      appSegment(
        1,
        `http://ns.adobe.com/xap/1.0/\0<GCamera:MicroVideoOffset>${video.length}</GCamera:MicroVideoOffset>`,
      ),
      PROGRESSIVE_JPEG.subarray(2),
    );
    const bytes = await stored(await upload(motionPhoto(still, video)));
    expect(Array.from(bytes)).toEqual(Array.from(PROGRESSIVE_JPEG));
    expect(contains(bytes, 'ftyp') || contains(bytes, 'GPS5') || contains(bytes, 'MicroVideo')).toBe(false);
  });

  it('POST /api/uploads ends a JPEG where the next image starts (SOI) when its own EOI is missing', async () => {
    const noEoi = PROGRESSIVE_JPEG.subarray(0, PROGRESSIVE_JPEG.length - 2);
    const bytes = await stored(await upload(cat(noEoi, jpegWithMetadata())));
    expect(Array.from(bytes)).toEqual(Array.from(PROGRESSIVE_JPEG));
  });
});

describe('POST /api/uploads removes MP4 timed-metadata tracks and their samples', () => {
  it('POST /api/uploads drops gpmd, camm and meta-handler tracks and zeroes their GPS samples in mdat', async () => {
    const { bytes: original, sampleAt } = mp4WithGpsTracks(36.98121, 117.17342);
    const gps5 = gpmfSample(36.98121, 117.17342);
    const camm = cammSample(36.98121, 117.17342);
    expect(indexOf(original, gps5)).toBe(sampleAt[1]);
    expect(indexOf(original, camm)).toBe(sampleAt[2]);
    const bytes = await stored(await upload(original, 'video/mp4'));
    expect(bytes.length).toBe(original.length); // offsets stay valid
    expect(indexOf(bytes, gps5)).toBe(-1);
    expect(indexOf(bytes, camm)).toBe(-1);
    for (const s of ['GPS5', 'DEVC', 'gpmd', 'camm', 'mebx', 'GPS 36.98121', 'hdlr\0\0\0\0\0\0\0\0meta'])
      expect(contains(bytes, s), s).toBe(false);
    // The video track and its sample survive untouched.
    expect(contains(bytes, 'avc1') && contains(bytes, 'vide')).toBe(true);
    expect(Array.from(bytes.subarray(sampleAt[0]!, sampleAt[0]! + 32))).toEqual(new Array(32).fill(0x11));
    expect(bytes.subarray(sampleAt[1]!, sampleAt[3]! + 10).every((x) => x === 0)).toBe(true);
  });

  it('POST /api/uploads keeps sound tracks and drops a subtitle track that a drone filled with coordinates', async () => {
    const { bytes: original, sampleAt } = mp4([
      { handler: 'soun', format: 'mp4a', samples: [new Uint8Array(24).fill(0x22)] },
      {
        handler: 'sbtl',
        format: 'tx3g',
        samples: [new TextEncoder().encode(`[latitude: 36.98121] [longitude: 117.17342]`)],
      },
    ]);
    const bytes = await stored(await upload(original, 'video/mp4'));
    expect(contains(bytes, 'latitude') || contains(bytes, 'tx3g')).toBe(false);
    expect(Array.from(bytes.subarray(sampleAt[1]!, sampleAt[1]! + 24))).toEqual(new Array(24).fill(0x22));
    expect(contains(bytes, 'mp4a')).toBe(true);
  });

  it('POST /api/uploads zeroes the samples of a dropped track in later movie fragments too', async () => {
    const { bytes: head } = mp4WithGpsTracks(36.98121, 117.17342);
    const gps = gpmfSample(37.5, 118.5);
    // moof { traf { tfhd(track 2, default-base-is-moof), trun(1 sample, data offset, sample size) } } mdat
    const traf = (offset: number) =>
      box(
        'traf',
        box('tfhd', [0, 2, 0, 0], [0, 0, 0, 2]),
        box(
          'trun',
          [0, 0, 2, 1],
          [0, 0, 0, 1],
          [offset >>> 24, (offset >> 16) & 255, (offset >> 8) & 255, offset & 255],
          [0, 0, 0, gps.length],
        ),
      );
    const moofLen = box('moof', box('mfhd', [0, 0, 0, 0, 0, 0, 0, 1]), traf(0)).length;
    const moof = box('moof', box('mfhd', [0, 0, 0, 0, 0, 0, 0, 1]), traf(moofLen + 8));
    const original = cat(head, moof, box('mdat', gps));
    expect(indexOf(original, gps)).toBe(head.length + moofLen + 8);
    const bytes = await stored(await upload(original, 'video/mp4'));
    expect(indexOf(bytes, gps)).toBe(-1);
    expect(contains(bytes, 'GPS5') || contains(bytes, 'traf')).toBe(false);
  });
});
