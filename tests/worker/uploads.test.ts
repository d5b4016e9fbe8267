import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../worker/domain/limits';
import { sweepOrphans } from '../../worker/services/scheduled';
import {
  contains,
  jpegWithMetadata,
  mp3WithTags,
  mp4WithLocation,
  pngWithMetadata,
  SECRET_MAKE,
  SECRET_PLACE,
  TINY_JPEG,
  wavWithList,
} from '../support/media-fixtures';
import { upload, uploadTicket } from '../support/tips';

async function stored(id: string) {
  const row = await env.DB.prepare('SELECT * FROM attachments WHERE id = ?').bind(id).first<any>();
  const obj = await env.FILES.get(row.r2_key);
  return { row, bytes: new Uint8Array(await obj!.arrayBuffer()) };
}

describe('POST /api/uploads', () => {
  it('POST /api/uploads stores a JPEG without GPS, camera make, XMP or comments, keeping its orientation', async () => {
    const original = jpegWithMetadata();
    expect(contains(original, SECRET_MAKE) && contains(original, SECRET_PLACE)).toBe(true);
    const res = await upload(original, 'image/jpeg');
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ kind: 'image', mime: 'image/jpeg' });
    const { row, bytes } = await stored(body.id);
    expect(contains(bytes, SECRET_MAKE)).toBe(false);
    expect(contains(bytes, SECRET_PLACE)).toBe(false);
    expect(contains(bytes, 'GPS')).toBe(false);
    expect(contains(bytes, 'xmpmeta')).toBe(false);
    // The image data itself is unchanged and the file is still a JPEG from SOI to EOI.
    const sos = TINY_JPEG.findIndex((b, i) => b === 0xff && TINY_JPEG[i + 1] === 0xda);
    const tail = TINY_JPEG.subarray(sos);
    expect(Array.from(bytes.subarray(bytes.length - tail.length))).toEqual(Array.from(tail));
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    // Orientation 6 survives as a minimal EXIF block: 'Exif\0\0' + MM + tag 0x0112 value 6.
    const exifAt = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xe1);
    expect(exifAt).toBeGreaterThan(0);
    const seg = bytes.subarray(exifAt, exifAt + 40);
    expect(contains(seg, 'Exif')).toBe(true);
    expect(seg.findIndex((b, i) => b === 0x01 && seg[i + 1] === 0x12)).toBeGreaterThan(0);
    expect(row).toMatchObject({ status: 'pending', bytes: bytes.length, kind: 'image' });
  });

  it('POST /api/uploads strips PNG text, eXIf and tIME chunks', async () => {
    const res = await upload(pngWithMetadata(), 'image/png');
    expect(res.status).toBe(201);
    const { bytes } = await stored(((await res.json()) as any).id);
    for (const s of [SECRET_MAKE, SECRET_PLACE, 'tEXt', 'eXIf', 'tIME', 'iTXt']) expect(contains(bytes, s)).toBe(false);
    expect(contains(bytes, 'IHDR') && contains(bytes, 'IDAT') && contains(bytes, 'IEND')).toBe(true);
  });

  it('POST /api/uploads erases the ©xyz location and metadata boxes of an MP4', async () => {
    const original = mp4WithLocation();
    const res = await upload(original, 'video/mp4');
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.kind).toBe('video');
    const { bytes } = await stored(body.id);
    expect(bytes.length).toBe(original.length); // same size: offsets in the file stay valid
    expect(contains(bytes, SECRET_PLACE)).toBe(false);
    expect(contains(bytes, SECRET_MAKE)).toBe(false);
    expect(contains(bytes, 'udta')).toBe(false);
    expect(contains(bytes, 'mdat')).toBe(true);
  });

  it('POST /api/uploads removes the ID3v2 and ID3v1 tags of an MP3, keeping its audio frames', async () => {
    const res = await upload(mp3WithTags(), 'audio/mpeg');
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.kind).toBe('audio');
    const { bytes } = await stored(body.id);
    for (const s of [SECRET_PLACE, SECRET_MAKE, 'ID3', 'TXXX', 'TAG']) expect(contains(bytes, s), s).toBe(false);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfb]); // starts at the first MPEG frame
    expect(bytes.length).toBe(2 * 417);
  });

  it('POST /api/uploads removes the LIST/INFO chunk of a WAV and fixes the RIFF size', async () => {
    const res = await upload(wavWithList(), 'audio/wav');
    expect(res.status).toBe(201);
    const { bytes } = await stored(((await res.json()) as any).id);
    for (const s of [SECRET_PLACE, SECRET_MAKE, 'LIST', 'INFO']) expect(contains(bytes, s), s).toBe(false);
    expect(contains(bytes, 'fmt ') && contains(bytes, 'data')).toBe(true);
    const riffSize = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
    expect(riffSize).toBe(bytes.length - 8);
  });

  it.each([
    ['a text file named .jpg', new TextEncoder().encode('just some text, definitely not a photo'), 'image/jpeg'],
    ['an HTML page declared as PNG', new TextEncoder().encode('<html><script>alert(1)</script></html>'), 'image/png'],
    ['a PDF', new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj'), 'application/pdf'],
    [
      'an SVG (scriptable)',
      new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'image/svg+xml',
    ],
    ['a Windows executable', new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]), 'image/jpeg'],
  ])('POST /api/uploads refuses %s (type from content, not name or header)', async (_n, bytes, type) => {
    const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM attachments').first<{ n: number }>())!.n;
    const res = await upload(bytes, type);
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error).toEqual({
      code: 'FILE_TYPE',
      message: '文件类型不受支持，请上传照片、视频或音频。',
    });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM attachments').first<{ n: number }>())!.n).toBe(before);
  });

  it('POST /api/uploads refuses a truncated JPEG as damaged', async () => {
    const res = await upload(jpegWithMetadata().subarray(0, 60), 'image/jpeg');
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.message).toBe('文件已损坏或格式不正确，请换一个文件。');
  });

  it('POST /api/uploads refuses a photo over the per-file limit with the limit in the message', async () => {
    const big = new Uint8Array(LIMITS.attachments.maxBytes.image + 1);
    big.set(TINY_JPEG);
    const res = await upload(big, 'image/jpeg');
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error).toEqual({ code: 'FILE_TOO_LARGE', message: '照片不能超过 10 MB。' });
  });

  it('POST /api/uploads refuses a body over the largest limit before reading it', async () => {
    const res = await SELF.fetch('http://localhost/api/uploads', {
      method: 'POST',
      headers: {
        'content-length': String(LIMITS.attachments.maxBytes.video + 1),
        'x-upload-ticket': await uploadTicket(),
      },
      body: new Uint8Array(LIMITS.attachments.maxBytes.video + 1),
    });
    expect(res.status).toBe(413);
  });

  it('POST /api/uploads answers a clear retry (503) when R2 fails, and records nothing', async () => {
    const { createApp } = await import('../../worker/app');
    const brokenR2 = {
      ...env.FILES,
      put: async () => {
        throw new Error('R2 unavailable');
      },
    } as unknown as R2Bucket;
    const before = (await env.DB.prepare('SELECT COUNT(*) AS n FROM attachments').first<{ n: number }>())!.n;
    const res = await createApp().request(
      'http://localhost/api/uploads',
      {
        method: 'POST',
        headers: {
          'content-type': 'image/jpeg',
          'cf-connecting-ip': '2001:db8::77',
          'x-upload-ticket': await uploadTicket(),
        },
        body: jpegWithMetadata(),
      },
      { ...env, FILES: brokenR2 },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: 'STORAGE_FAILED', message: '文件保存失败，请重试。' } });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM attachments').first<{ n: number }>())!.n).toBe(before);
  });

  it('uploads never attached to a tip are removed by the scheduled sweep after a day', async () => {
    const res = await upload(jpegWithMetadata());
    const { id } = (await res.json()) as any;
    const { row } = await stored(id);
    expect(await sweepOrphans(env, Date.now())).toBe(0);
    expect(await sweepOrphans(env, Date.now() + LIMITS.attachments.orphanTtlMs + 1000)).toBeGreaterThanOrEqual(1);
    expect(await env.DB.prepare('SELECT id FROM attachments WHERE id = ?').bind(id).first()).toBeNull();
    expect(await env.FILES.get(row.r2_key)).toBeNull();
  });
});
