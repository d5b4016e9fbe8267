/**
 * The receipt: tracking number and query code, with copy, print, save-as-image and a QR code that opens the
 * lookup page with the tracking number filled in (the query code is never put into the QR code or any URL).
 */
import { formatDateTime } from '../shared/format';
import { drawQr } from '../shared/qr';
import type { Receipt } from './draft';

export const receiptText = (r: Receipt) =>
  `安全生产举报回执\n举报编号：${r.trackingNo}\n查询码：${r.queryCode}\n提交时间：${formatDateTime(r.createdAt)}\n进度查询：${r.trackUrl}\n（查询码丢失后无法找回，请妥善保存）`;

/** Render the receipt as a PNG (for saving to the photo album) and start a download. */
export async function saveAsImage(r: Receipt): Promise<void> {
  const scale = 2;
  const w = 360 * scale;
  const h = 520 * scale;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#b3261e';
  ctx.fillRect(0, 0, w, 8 * scale);
  ctx.fillStyle = '#111';
  const font = (px: number, weight = 400) =>
    `${weight} ${px * scale}px system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif`;
  ctx.font = font(20, 700);
  ctx.fillText('安全生产举报回执', 24 * scale, 48 * scale);
  ctx.font = font(14);
  ctx.fillText('举报编号', 24 * scale, 88 * scale);
  ctx.font = font(24, 700);
  ctx.fillText(r.trackingNo, 24 * scale, 118 * scale);
  ctx.font = font(14);
  ctx.fillText('查询码', 24 * scale, 152 * scale);
  ctx.font = font(24, 700);
  ctx.fillText(r.queryCode, 24 * scale, 182 * scale);
  ctx.font = font(13);
  ctx.fillText(`提交时间：${formatDateTime(r.createdAt)}`, 24 * scale, 212 * scale);
  drawQr(ctx, r.trackUrl, 24 * scale, 230 * scale, 180 * scale);
  ctx.font = font(12);
  ctx.fillStyle = '#333';
  ctx.fillText('扫码打开进度查询（二维码不含查询码）', 24 * scale, 432 * scale);
  ctx.fillStyle = '#b3261e';
  ctx.fillText('查询码丢失后无法找回，请妥善保存此图片。', 24 * scale, 456 * scale);
  const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
  if (!blob) throw new Error('canvas');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `举报回执-${r.trackingNo}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
