import { describe, it, expect } from 'vitest';
import { crc32, inflateSync } from 'node:zlib';
import { monthChartPng, type DailyBar } from '../../src/domain/chart.ts';

type Rgb = [number, number, number];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const ACCEPTED: Rgb = [0x2a, 0x9d, 0x8f];
const OPEN: Rgb = [0x45, 0x7b, 0x9d];
const NURTURE: Rgb = [0xe9, 0xc4, 0x6a];
const REJECTED: Rgb = [0xe7, 0x6f, 0x51];
const BAR_COLOURS = [ACCEPTED, OPEN, NURTURE, REJECTED].map(String);

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

function readChunks(png: Uint8Array): Chunk[] {
  const buf = Buffer.from(png);
  const chunks: Chunk[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    chunks.push({
      type: buf.toString('latin1', at + 4, at + 8),
      data: buf.subarray(at + 8, at + 8 + length),
      crc: buf.readUInt32BE(at + 8 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

/** Decodes the chart's own output: 8-bit RGB, filter 0 on every row. */
function decode(png: Uint8Array) {
  const chunks = readChunks(png);
  const ihdr = chunks.find((c) => c.type === 'IHDR')!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = 1 + width * 3;
  expect(raw.length).toBe(height * stride);
  for (let y = 0; y < height; y++) expect(raw[y * stride]).toBe(0);
  const pixel = (x: number, y: number): Rgb => {
    const at = y * stride + 1 + x * 3;
    return [raw[at]!, raw[at + 1]!, raw[at + 2]!];
  };
  return { width, height, pixel };
}

type Decoded = ReturnType<typeof decode>;

const bar = (day: number, counts: Partial<Omit<DailyBar, 'day'>> = {}): DailyBar => ({
  day,
  accepted: 0,
  rejected: 0,
  nurture: 0,
  open: 0,
  ...counts,
});

const month = (counts: (day: number) => Partial<Omit<DailyBar, 'day'>>): DailyBar[] =>
  Array.from({ length: 30 }, (_, i) => bar(i + 1, counts(i + 1)));

/** Roughly the middle of a day's bar; the bar is ~70% of its slot, so a few pixels off is fine. */
const columnOf = (img: Decoded, day: number, days: number) => Math.round(((day - 0.5) * img.width) / days);

/** The baseline is the lowest non-white row in any column inside the plot. */
function baselineY(img: Decoded, x: number): number {
  for (let y = img.height - 1; y >= 0; y--) if (String(img.pixel(x, y)) !== String(WHITE)) return y;
  throw new Error(`no baseline in column ${x}`);
}

/** Runs of bar colours in a column, bottom → top. */
function stackInColumn(img: Decoded, x: number): string[] {
  const runs: string[] = [];
  for (let y = baselineY(img, x) - 1; y >= 0; y--) {
    const colour = String(img.pixel(x, y));
    if (BAR_COLOURS.includes(colour) && runs.at(-1) !== colour) runs.push(colour);
  }
  return runs;
}

function barTopY(img: Decoded, x: number): number {
  let top = baselineY(img, x);
  for (let y = top - 1; y >= 0; y--) if (BAR_COLOURS.includes(String(img.pixel(x, y)))) top = y;
  return top;
}

describe('monthChartPng', () => {
  it('emits a PNG signature, an IHDR with the requested size, then IDAT and IEND, every CRC valid', () => {
    const png = monthChartPng(month((d) => ({ accepted: d % 4, open: 1 })), { width: 320, height: 120 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]!.data;
    expect(ihdr.readUInt32BE(0)).toBe(320);
    expect(ihdr.readUInt32BE(4)).toBe(120);
    expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    for (const c of chunks) expect(c.crc).toBe(crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data])));
  });

  it('defaults to 800×300', () => {
    const img = decode(monthChartPng(month(() => ({ accepted: 1 }))));
    expect([img.width, img.height]).toEqual([800, 300]);
  });

  it('paints the base of a day with only accepted leads in the accepted colour', () => {
    const img = decode(monthChartPng(month((d) => (d === 3 ? { accepted: 5 } : { open: 2, rejected: 1 }))));
    const x = columnOf(img, 3, 30);
    expect(img.pixel(x, baselineY(img, x) - 1)).toEqual(ACCEPTED);
  });

  it('leaves a day with zero leads as background above the baseline', () => {
    const img = decode(monthChartPng(month((d) => (d === 10 ? {} : { accepted: 3, nurture: 2 }))));
    const x = columnOf(img, 10, 30);
    expect(img.pixel(x, baselineY(img, x) - 1)).toEqual(WHITE);
    expect(stackInColumn(img, x)).toEqual([]);
  });

  it('scales the tallest day to reach the top margin, and no further', () => {
    const img = decode(monthChartPng(month((d) => (d === 20 ? { accepted: 40, rejected: 17 } : { accepted: d % 5 }))));
    const top = barTopY(img, columnOf(img, 20, 30));
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThanOrEqual(img.height * 0.05);
  });

  it('stacks accepted, open, nurture, rejected from the bottom up', () => {
    const img = decode(monthChartPng(month((d) => (d === 15 ? { accepted: 2, open: 2, nurture: 2, rejected: 2 } : { accepted: 1 }))));
    expect(stackInColumn(img, columnOf(img, 15, 30))).toEqual([ACCEPTED, OPEN, NURTURE, REJECTED].map(String));
  });

  it('renders an all-zero month as a valid PNG with just the baseline', () => {
    const png = monthChartPng(month(() => ({})));
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of chunks) expect(c.crc).toBe(crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data])));

    const img = decode(png);
    const nonWhiteRows = new Set<number>();
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) if (String(img.pixel(x, y)) !== String(WHITE)) nonWhiteRows.add(y);
    }
    expect(nonWhiteRows.size).toBe(1);
  });

  it('also accepts an empty list of days', () => {
    expect(decode(monthChartPng([])).height).toBe(300);
  });

  it('draws the target as a dashed dark line at its height', () => {
    // Every day at 10 with a target of 5: the line sits halfway up the bars.
    const img = decode(monthChartPng(month(() => ({ accepted: 10 })), { target: 5 }));
    const x = columnOf(img, 1, 30);
    const expectedY = (baselineY(img, x) + barTopY(img, x)) / 2;

    const lines = darkRows(img);
    expect(lines).toHaveLength(1);
    expect(Math.abs(lines[0]! - expectedY)).toBeLessThanOrEqual(1);
    // Dashed, not solid: dark and light alternate all along the row.
    const dark = Array.from({ length: img.width }, (_, col) => isDark(img.pixel(col, lines[0]!)));
    const switches = dark.filter((d, i) => i > 0 && d !== dark[i - 1]).length;
    expect(switches).toBeGreaterThan(50);
  });

  it('scales to fit a target above every bar', () => {
    const img = decode(monthChartPng(month(() => ({ accepted: 2 })), { target: 10 }));
    const lines = darkRows(img);
    expect(lines).toHaveLength(1);
    expect(lines[0]!).toBeLessThanOrEqual(img.height * 0.05);
    expect(barTopY(img, columnOf(img, 15, 30))).toBeGreaterThan(img.height * 0.7);
  });
});

const isDark = ([r, g, b]: Rgb) => 0.299 * r + 0.587 * g + 0.114 * b < 90;

/** Rows where at least a third of the pixels are dark: only the target line qualifies. */
function darkRows(img: Decoded): number[] {
  const rows: number[] = [];
  for (let y = 0; y < img.height; y++) {
    let dark = 0;
    for (let x = 0; x < img.width; x++) if (isDark(img.pixel(x, y))) dark++;
    if (dark > img.width / 3) rows.push(y);
  }
  return rows;
}
