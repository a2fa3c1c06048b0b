// A chart drawn with a few colours as an indexed PNG (a palette of at most 256 colours and one
// byte per pixel): about a third of the size of the RGBA PNG resvg writes, which keeps a chart
// inside a Teams card (see src/bot/teams/render.ts) and makes every upload smaller.
import * as zlib from 'node:zlib';

/** The opaque RGBA pixels (rows top to bottom) as an indexed PNG; null with more than 256 colours. */
export function indexedPng(width: number, height: number, rgba: Uint8Array): Uint8Array | null {
  const palette = new Map<number, number>();
  const stride = width + 1; // each row starts with its filter type, 0 (none): flat colours deflate well unfiltered
  const rows = new Uint8Array(height * stride);
  // Most pixels repeat the one before (the white ground, a bar): only a new colour is looked up.
  let last = -1;
  let index = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      const colour = (rgba[at]! << 16) | (rgba[at + 1]! << 8) | rgba[at + 2]!;
      if (colour !== last) {
        let known = palette.get(colour);
        if (known === undefined) {
          if (palette.size === 256) return null;
          known = palette.size;
          palette.set(colour, known);
        }
        [last, index] = [colour, known];
      }
      rows[y * stride + 1 + x] = index;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 3, 0, 0, 0], 8); // 8 bits per index, colour type 3 (palette), deflate, no interlace
  const colours = new Uint8Array(palette.size * 3);
  for (const [colour, index] of palette) colours.set([colour >> 16, (colour >> 8) & 0xff, colour & 0xff], index * 3);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('PLTE', colours), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', new Uint8Array(0))]);
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Length, type, data, and the CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

// zlib.crc32 only arrived in Node 20.15, and package.json allows any Node 20.
const crc32: (bytes: Uint8Array) => number = typeof zlib.crc32 === 'function' ? (bytes) => zlib.crc32(bytes) : tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(bytes: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
