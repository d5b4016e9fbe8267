/**
 * Location metadata, checked with a tool no one here wrote: exiftool (Debian's libimage-exiftool-perl) writes
 * GPS, a serial number and an owner name into JPEG, MPF (main and secondary image), motion-photo and MP4
 * samples — and reads them back from the originals, GoPro/camm timed metadata included (`-ee`). Each sample
 * is uploaded through the e2e server's API, the stored R2 object is read back with wrangler, and exiftool
 * finds no location, serial number or owner in it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// @ts-expect-error plain ESM helpers shared with `npm start`
import { run } from '../../scripts/lib/local.mjs';
// @ts-expect-error plain ESM helper
import { d1File } from '../../scripts/bench/scale.mjs';
import {
  appSegment,
  BASELINE_JPEG,
  betweenScans,
  jpegMarkers,
  motionPhoto,
  mp4WithGpsTracks,
  mpf,
  PROGRESSIVE_JPEG,
} from '../support/media-samples';

const base = inject('baseUrl');
const persistTo = inject('persistTo');
const dir = mkdtempSync(join(tmpdir(), 'anquan-exiftool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LAT = 36.98121;
const LON = 117.17342;
const SERIAL = 'SN-4242-SECRET';
const OWNER = 'Zhang Secret Owner';

const exiftool = (...args: string[]) => execFileSync('exiftool', args, { encoding: 'utf8' });
/** exiftool writes the tags into a copy of `bytes` and returns the result. */
function tagged(bytes: Uint8Array, name: string, tags: string[]): Uint8Array {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  exiftool('-q', '-overwrite_original', ...tags, path);
  return new Uint8Array(readFileSync(path));
}
const EXIF_TAGS = [
  `-GPSLatitude=${LAT}`,
  '-GPSLatitudeRef=N',
  `-GPSLongitude=${LON}`,
  '-GPSLongitudeRef=E',
  `-SerialNumber=${SERIAL}`,
  `-OwnerName=${OWNER}`,
  '-Make=SpyCam',
];
const MP4_TAGS = [
  `-Keys:GPSCoordinates=${LAT}, ${LON}`,
  `-UserData:GPSCoordinates=${LAT}, ${LON}`,
  `-XMP:GPSLatitude=${LAT}`,
  `-XMP:GPSLongitude=${LON}`,
  `-XMP-aux:SerialNumber=${SERIAL}`,
  `-XMP-aux:OwnerName=${OWNER}`,
];

/** Everything exiftool finds (embedded documents and timed metadata included), as one JSON text. */
function found(bytes: Uint8Array, name: string): string {
  const path = join(dir, `read-${name}`);
  writeFileSync(path, bytes);
  return exiftool('-j', '-a', '-G3:1', '-ee', '-n', path);
}
const leaks = (json: string) => ({
  gps: /"[^"]*GPS(Latitude|Longitude|Position|Coordinates)[^"]*":/.test(json) || /36\.98|117\.17/.test(json),
  serial: json.includes(SERIAL),
  owner: json.includes(OWNER),
});

function samples(): Record<string, { bytes: Uint8Array; type: string }> {
  const photo = tagged(PROGRESSIVE_JPEG, 'photo.jpg', EXIF_TAGS);
  const second = tagged(BASELINE_JPEG, 'second.jpg', EXIF_TAGS);
  const video = tagged(mp4WithGpsTracks(LAT, LON).bytes, 'video.mp4', MP4_TAGS);
  // exiftool's EXIF segment (APP1) from the tagged photo, moved between the scans of a clean progressive JPEG.
  const markers = jpegMarkers(photo);
  const app1 = markers.find(([m]) => m === 0xe1)![1];
  const len = (photo[app1 + 2]! << 8) | photo[app1 + 3]!;
  const between = betweenScans(
    PROGRESSIVE_JPEG,
    photo.subarray(app1, app1 + 2 + len),
    appSegment(13, 'Photoshop 3.0\0'),
  );
  const still = tagged(photo, 'still.jpg', [
    '-XMP-GCamera:MicroVideo=1',
    `-XMP-GCamera:MicroVideoOffset=${video.length}`,
  ]);
  return {
    'photo.jpg': { bytes: photo, type: 'image/jpeg' },
    'between-scans.jpg': { bytes: between, type: 'image/jpeg' },
    'mpf.jpg': { bytes: mpf(photo, second), type: 'image/jpeg' },
    'motion-photo.jpg': { bytes: motionPhoto(still, video), type: 'image/jpeg' },
    'timed-metadata.mp4': { bytes: video, type: 'video/mp4' },
  };
}

async function uploadOne(bytes: Uint8Array, type: string): Promise<string> {
  const t = await fetch(`${base}/api/uploads/ticket`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ turnstileToken: 'XXXX.DUMMY.TOKEN.XXXX' }),
  });
  expect(t.status).toBe(200);
  const { ticket } = (await t.json()) as { ticket: string };
  const res = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': type, 'x-upload-ticket': ticket },
    body: bytes as unknown as BodyInit,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The stored object, read back from the server's local R2 with wrangler. */
function storedObject(id: string): Uint8Array {
  const db = new DatabaseSync(d1File(persistTo), { readOnly: true });
  const { r2_key } = db.prepare('SELECT r2_key FROM attachments WHERE id = ?').get(id) as { r2_key: string };
  db.close();
  const out = join(dir, `stored-${id}`);
  run(
    'wrangler',
    ['r2', 'object', 'get', `anquan-files/${r2_key}`, '--local', '--persist-to', persistTo, '--file', out],
    { quiet: true },
  );
  return new Uint8Array(readFileSync(out));
}

describe('exiftool-made samples come out clean', () => {
  let made: ReturnType<typeof samples>;
  beforeAll(() => {
    made = samples();
  });

  it('the originals carry location, serial number and owner where exiftool looks (main and embedded images, timed metadata)', () => {
    for (const [name, { bytes }] of Object.entries(made)) {
      const json = found(bytes, name);
      expect(leaks(json), name).toMatchObject({ gps: true });
      if (name !== 'between-scans.jpg' && name !== 'motion-photo.jpg')
        expect(leaks(json), name).toEqual({ gps: true, serial: true, owner: true });
    }
    expect(found(made['mpf.jpg']!.bytes, 'mpf-check')).toMatch(/"Doc2:GPS:GPSLatitude"/); // the secondary image's own GPS
    expect(found(made['timed-metadata.mp4']!.bytes, 'mp4-check')).toMatch(/"Doc\d+:Track\d:GPSLatitude"/); // gpmd/camm samples
  });

  it('POST /api/uploads stores each of them without location, serial number or owner name', async () => {
    for (const [name, { bytes, type }] of Object.entries(made)) {
      const id = await uploadOne(bytes, type);
      const stored = storedObject(id);
      const json = found(stored, `stored-${name}`);
      expect(leaks(json), `${name}: ${json}`).toEqual({ gps: false, serial: false, owner: false });
      expect(json, name).not.toMatch(/"[^"]*:Error"/); // still a file exiftool reads without error
    }
  });
});
