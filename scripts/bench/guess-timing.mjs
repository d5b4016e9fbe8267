/**
 * Guessing must be useless: a wrong query code for a real number and any code for an unknown number must take
 * the same time. Measured here (never asserted in the tests): one failed check each on fresh numbers, one at a
 * time, from fresh client addresses, so every check is a first failure with the same delay.
 */
import { tipBody } from './api.mjs';

const WRONG = 'ZZZZ-ZZZZ-ZZZZ';
let n = 0;
const ip = () => `2001:db8:7:${(++n).toString(16)}::1`;

async function check(url, trackingNo) {
  const t = performance.now();
  const res = await fetch(`${url}/api/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip() },
    body: JSON.stringify({ trackingNo, queryCode: WRONG }),
  });
  await res.arrayBuffer();
  if (res.status !== 404) throw new Error(`guess timing: expected 404, got ${res.status}`);
  return performance.now() - t;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
  return { n: s.length, mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2), p50: q(0.5), p95: q(0.95) };
};

/** @returns {{ wrongCode, unknownNumber, diffMeanMs }} timings of interleaved failed checks */
export async function guessTiming(url, rounds = 30) {
  const numbers = [];
  for (let i = 0; i < rounds; i++) {
    const res = await fetch(`${url}/api/tips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip() },
      body: tipBody(),
    });
    numbers.push((await res.json()).trackingNo);
  }
  const wrong = [];
  const unknown = [];
  for (let i = 0; i < rounds; i++) {
    // Interleaved, so drift on the machine affects both alike.
    wrong.push(await check(url, numbers[i]));
    unknown.push(await check(url, `AQ-00000-${String(10000 + i).slice(-5)}`));
  }
  const w = stats(wrong);
  const u = stats(unknown);
  return { wrongCode: w, unknownNumber: u, diffMeanMs: +(w.mean - u.mean).toFixed(2) };
}
