// Draws the digest's charts on the server: Apache ECharts lays each one out and renders it as SVG
// (server-side rendering: no DOM, no canvas), resvg draws the SVG with DejaVu Sans, a font shipped
// in an npm package, so the text looks the same on every machine and in CI; src/infra/png.ts
// writes the picture as a small indexed PNG.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Resvg from '@resvg/resvg-js';
import type * as ECharts from 'echarts';
import type { ChartSpec } from '../domain/charts.ts';
import type { ChartRenderer, RenderedChart } from '../handlers/ports.ts';
import { type FontMetrics, fontMetrics } from './font-metrics.ts';
import { indexedPng } from './png.ts';

const require = createRequire(import.meta.url);
export const FONT_FAMILY = 'DejaVu Sans';
const FONT_FILES = { regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf') };

interface Engines {
  echarts: typeof ECharts;
  renderAsync: typeof Resvg.renderAsync;
}

let engines: Engines | undefined;

/** Loaded on the first chart, not at start-up: most processes (the CLI, most tests) draw none.
 * ECharts' minified "common" build (bar and line charts, titles, legends, mark lines, …) loads
 * in a fraction of the time its full build or its hundreds of ES modules take. */
function load(): Engines {
  if (engines) return engines;
  const echarts = require('echarts/dist/echarts.common.min') as typeof ECharts;
  const { renderAsync } = require('@resvg/resvg-js') as typeof Resvg;
  const fonts = { regular: fontMetrics(readFileSync(FONT_FILES.regular)), bold: fontMetrics(readFileSync(FONT_FILES.bold)) };
  // ECharts measures text to place labels and legend items; without a canvas it would guess.
  echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: measure(fonts, text, font) }) as TextMetrics });
  engines = { echarts, renderAsync };
  return engines;
}

/** "bold 20px sans-serif" → the width of `text` in DejaVu Sans (Bold), which draws every text. */
function measure(fonts: { regular: FontMetrics; bold: FontMetrics }, text: string, font = '12px sans-serif'): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  const bold = /\b(bold|bolder|[6-9]00)\b/.test(font);
  return (bold ? fonts.bold : fonts.regular).width(text, size);
}

/** The chart as SVG text: what the tests read, and what the PNG is drawn from. */
export function chartSvg(chart: ChartSpec): string {
  const { echarts } = load();
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width: chart.width, height: chart.height });
  try {
    instance.setOption({ ...chart.option, textStyle: { ...(chart.option.textStyle as object), fontFamily: FONT_FAMILY } });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

/** Off the event loop (resvg draws on libuv's thread pool): a chart takes tens of milliseconds. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { renderAsync } = load();
  // resvg reads the font files on every drawing and quietly leaves the text out without them.
  for (const file of Object.values(FONT_FILES)) if (!existsSync(file)) throw new Error(`the charts' font ${file} is missing (npm package dejavu-fonts-ttf)`);
  const image = await renderAsync(svg, {
    font: { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    background: '#ffffff',
  });
  // A chart has a few dozen colours (the palette and the edges of text and bars against white).
  return indexedPng(image.width, image.height, image.pixels) ?? image.asPng();
}

export async function renderChart(chart: ChartSpec): Promise<RenderedChart> {
  const svg = chartSvg(chart);
  return { svg, png: await svgToPng(svg) };
}

export const chartRenderer: ChartRenderer = { render: renderChart };
