#!/usr/bin/env node
// Draws build/icon.png (1024×1024, the size electron-builder turns into .icns/.ico/.png
// sets): a warm rounded square with a smile. Shapes are signed-distance fields, so edges are
// antialiased without an image library. Run again after changing the drawing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { root } from './electronRuntime.mjs';

const S = 1024;
const clamp = (x) => Math.max(0, Math.min(1, x));
const cover = (d) => clamp(0.5 - d); // signed distance (px, negative inside) → coverage

function roundedBox(x, y, cx, cy, half, r) {
  const qx = Math.abs(x - cx) - (half - r);
  const qy = Math.abs(y - cy) - (half - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function smile(x, y) {
  const cx = 512,
    cy = 500,
    r = 250,
    w = 70;
  const a0 = (25 * Math.PI) / 180,
    a1 = (155 * Math.PI) / 180; // lower arc (y grows downwards)
  const ang = Math.atan2(y - cy, x - cx);
  if (ang >= a0 && ang <= a1) return Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
  const end = (a) => Math.hypot(x - (cx + r * Math.cos(a)), y - (cy + r * Math.sin(a))) - w / 2;
  return Math.min(end(a0), end(a1)); // round caps
}

const eye = (x, y, cx) => Math.hypot(x - cx, y - 390) - 58;

const rows = [];
for (let y = 0; y < S; y++) {
  const row = Buffer.alloc(1 + S * 4);
  const t = y / S;
  // Sunny yellow at the top to warm orange at the bottom.
  const bg = [255, Math.round(201 - 83 * t), Math.round(60 - 14 * t)];
  for (let x = 0; x < S; x++) {
    const box = cover(roundedBox(x + 0.5, y + 0.5, 512, 512, 470, 210));
    const face = cover(Math.min(smile(x + 0.5, y + 0.5), eye(x + 0.5, y + 0.5, 385), eye(x + 0.5, y + 0.5, 639)));
    const o = 1 + x * 4;
    for (let c = 0; c < 3; c++) row[o + c] = Math.round(bg[c] * (1 - face) + 255 * face);
    row[o + 3] = Math.round(255 * box);
  }
  rows.push(row);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(path.join(root, 'build'), { recursive: true });
writeFileSync(path.join(root, 'build', 'icon.png'), png);
console.log(`wrote build/icon.png (${png.length} bytes)`);
