// The monthly alignment digest's chart: a stacked bar per day, rendered straight
// to PNG bytes so the Slack bot can upload it without a canvas library. There is
// no text (no fonts to rely on); the message around the image carries the
// numbers and the legend.
import * as zlib from 'node:zlib';

export interface DailyBar {
  /** Day of the month, 1-based: it picks the bar's slot, so missing days leave a gap. */
  day: number;
  accepted: number;
  rejected: number;
  nurture: number;
  open: number;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Daily target, drawn as a dashed line. */
  target?: number;
}

type Rgb = readonly [number, number, number];

const COLOURS = {
  background: [0xff, 0xff, 0xff],
  grid: [0xec, 0xec, 0xec],
  baseline: [0xc8, 0xc8, 0xc8],
  target: [0x26, 0x46, 0x53],
  accepted: [0x2a, 0x9d, 0x8f],
  open: [0x45, 0x7b, 0x9d],
  nurture: [0xe9, 0xc4, 0x6a],
  rejected: [0xe7, 0x6f, 0x51],
} as const satisfies Record<string, Rgb>;

/** Bottom → top. */
const STACK = ['accepted', 'open', 'nurture', 'rejected'] as const;
const MARGIN = 4;
const DASH = 6;
const GAP = 4;

/** A stacked bar chart of a month's leads per day, by outcome, as PNG bytes. */
export function monthChartPng(days: readonly DailyBar[], opts: ChartOptions = {}): Uint8Array {
  const { width = 800, height = 300, target } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 2 * MARGIN || height <= 2 * MARGIN) {
    throw new RangeError(`chart size must be whole pixels above ${2 * MARGIN}, got ${width}×${height}`);
  }
  const img = blankImage(width, height);
  const left = MARGIN;
  const right = width - MARGIN; // exclusive
  const baseline = height - MARGIN - 1;
  const plotHeight = baseline - MARGIN;

  // Bad counts (negative, NaN, Infinity) draw as nothing rather than poisoning the scale.
  const count = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const bars = days.filter((d) => Number.isInteger(d.day) && d.day >= 1);
  const totals = bars.map((d) => STACK.reduce((sum, k) => sum + count(d[k]), 0));
  // The target counts towards the scale so its line never falls off the top.
  const max = Math.max(0, ...totals, target !== undefined ? count(target) : 0);
  const scale = max > 0 ? plotHeight / max : 0;
  const yOf = (value: number) => baseline - Math.round(value * scale);

  if (max > 0) for (let k = 1; k <= 5; k++) fillRect(img, left, yOf((max * k) / 5), right - left, 1, COLOURS.grid);

  const slots = Math.max(0, ...bars.map((d) => d.day));
  const slotWidth = (right - left) / slots;
  const barWidth = Math.max(1, Math.floor(slotWidth * 0.7));
  for (const d of bars) {
    const x = left + Math.floor((d.day - 1) * slotWidth + (slotWidth - barWidth) / 2);
    // Place each segment by its cumulative value so rounding never drifts up the stack.
    let sum = 0;
    for (const k of STACK) {
      const bottom = yOf(sum);
      sum += count(d[k]);
      fillRect(img, x, yOf(sum), barWidth, bottom - yOf(sum), COLOURS[k]);
    }
  }

  fillRect(img, left, baseline, right - left, 1, COLOURS.baseline);
  if (target !== undefined && count(target) > 0) {
    const y = yOf(target);
    for (let x = left; x < right; x += DASH + GAP) fillRect(img, x, y, Math.min(DASH, right - x), 1, COLOURS.target);
  }
  return encodePng(img);
}

interface Image {
  width: number;
  height: number;
  /** 3 bytes per pixel, rows top to bottom. */
  rgb: Uint8Array;
}

function blankImage(width: number, height: number): Image {
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(0xff) };
}

function fillRect(img: Image, x: number, y: number, w: number, h: number, colour: Rgb): void {
  for (let row = Math.max(0, y); row < Math.min(img.height, y + h); row++) {
    for (let col = Math.max(0, x); col < Math.min(img.width, x + w); col++) img.rgb.set(colour, (row * img.width + col) * 3);
  }
}

// --- PNG encoding: 8-bit RGB, one IDAT, no interlace ---

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function encodePng(img: Image): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, img.width);
  view.setUint32(4, img.height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, standard filters, no interlace
  const idat = zlib.deflateSync(scanlines(img));
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** Prefixes every row with filter type 0 (None): flat colour fields deflate well without filtering. */
function scanlines({ width, height, rgb }: Image): Uint8Array {
  const stride = width * 3;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) out.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return out;
}

/** length, type, data, CRC-32 of type + data. */
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

let crcTable: Uint32Array | undefined;
function tableCrc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
