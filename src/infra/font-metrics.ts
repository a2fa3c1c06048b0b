// How wide a text is in a TrueType font, read from the font file itself (its cmap and hmtx
// tables). ECharts lays out legends, axis labels and titles by measured widths; on the server it
// has no canvas to measure with and would guess from a table made for another font, so labels
// drawn in DejaVu Sans would overrun their places.

export interface FontMetrics {
  /** Width of `text` at `size` pixels (no kerning: charts' short labels barely differ). */
  width(text: string, size: number): number;
}

export function fontMetrics(ttf: Uint8Array): FontMetrics {
  const view = new DataView(ttf.buffer, ttf.byteOffset, ttf.byteLength);
  const u16 = (at: number) => view.getUint16(at);
  const tables = new Map<string, number>();
  for (let i = 0, count = u16(4); i < count; i++) {
    const at = 12 + i * 16;
    tables.set(String.fromCharCode(ttf[at]!, ttf[at + 1]!, ttf[at + 2]!, ttf[at + 3]!), view.getUint32(at + 8));
  }
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`the font has no ${tag} table`);
    return at;
  };
  const unitsPerEm = u16(table('head') + 18);
  const metricsCount = u16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const glyphOf = bmpGlyphs(view, table('cmap'));
  const advance = (glyph: number) => u16(hmtx + 4 * Math.min(glyph, metricsCount - 1));

  const ems = new Map<number, number>();
  const em = (codePoint: number) => {
    let width = ems.get(codePoint);
    if (width === undefined) {
      width = advance(glyphOf(codePoint)) / unitsPerEm;
      ems.set(codePoint, width);
    }
    return width;
  };
  return {
    width(text, size) {
      let sum = 0;
      for (const ch of text) sum += em(ch.codePointAt(0)!);
      return sum * size;
    },
  };
}

/** The glyph of a character in the Unicode BMP, by the cmap's format 4 subtable (every TrueType
 * font made for Windows has one); glyph 0 (.notdef) when the font lacks it. */
function bmpGlyphs(view: DataView, cmap: number): (codePoint: number) => number {
  const u16 = (at: number) => view.getUint16(at);
  let sub = -1;
  for (let i = 0, count = u16(cmap + 2); i < count; i++) {
    const at = cmap + 4 + i * 8;
    const [platform, encoding] = [u16(at), u16(at + 2)];
    const offset = cmap + view.getUint32(at + 4);
    if (u16(offset) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) sub = offset;
  }
  if (sub < 0) throw new Error('the font has no Unicode BMP character map (cmap format 4)');
  const segments = u16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let i = 0; i < segments; i++) {
      if (u16(ends + 2 * i) < codePoint) continue;
      const start = u16(starts + 2 * i);
      if (start > codePoint) return 0;
      const delta = u16(deltas + 2 * i);
      const rangeOffset = u16(rangeOffsets + 2 * i);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = u16(rangeOffsets + 2 * i + rangeOffset + 2 * (codePoint - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}
