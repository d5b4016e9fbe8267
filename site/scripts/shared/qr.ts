/**
 * The one QR renderer of the site (uqr encodes; this draws). An SVG for pages (a single path, so the page's
 * QR costs one element) and a canvas painter for images such as the receipt.
 */
import { encode } from 'uqr';

const NS = 'http://www.w3.org/2000/svg';
const code = (text: string) => encode(text, { ecc: 'M', border: 2 });

/** The QR code of `text` as an SVG, black modules on white. Decorative unless the caller labels it. */
export function qrSvg(text: string): SVGSVGElement {
  const qr = code(text);
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${qr.size} ${qr.size}`);
  svg.setAttribute('aria-hidden', 'true');
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(qr.size));
  bg.setAttribute('height', String(qr.size));
  bg.setAttribute('fill', '#fff');
  let d = '';
  qr.data.forEach((row, y) => {
    row.forEach((on, x) => {
      if (on) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  svg.append(bg, path);
  return svg;
}

/** Paint the QR code of `text` onto a canvas at (x, y), `size` pixels square. */
export function drawQr(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, size: number) {
  const qr = code(text);
  const cell = size / qr.size;
  ctx.fillStyle = '#fff';
  ctx.fillRect(x, y, size, size);
  ctx.fillStyle = '#000';
  qr.data.forEach((row, r) => {
    row.forEach((on, c) => {
      if (on) ctx.fillRect(Math.floor(x + c * cell), Math.floor(y + r * cell), Math.ceil(cell), Math.ceil(cell));
    });
  });
}
