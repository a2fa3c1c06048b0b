// The digest's charts for a hand-built October (test/support/digest-month.ts), drawn by the real
// renderer: what each SVG says — title, axes, legend, labels, the target and SLA lines — in German
// and in English, and that the PNG made from it is a picture of the chart's size with its text.
// With LEADRELAY_SCREENSHOTS=docs the German PNGs go to docs/ for the README.
import { writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chartCards } from '../src/bot/teams/render.ts';
import type { Agreement } from '../src/domain/agreement.ts';
import { ALT_MAX, type ChartId, type ChartSpec, digestChart, digestCharts, PALETTE } from '../src/domain/charts.ts';
import { texts } from '../src/domain/texts.ts';
import { chartSvg, renderChart, svgToPng } from '../src/infra/charts.ts';
import { octoberNumbers } from './support/digest-month.ts';
import { emptyNumbers, exampleAgreement } from './support/handler-deps.ts';

const de = exampleAgreement();
const en: Agreement = { ...de, locale: 'en' };
const NBSP = '\u00a0';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** Every text the SVG draws, in order. */
const textsOf = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e));

function chart(id: ChartId, agreement: Agreement, numbers = octoberNumbers(agreement)): { spec: ChartSpec; svg: string; texts: string[] } {
  const spec = digestChart(id, numbers, agreement, texts(agreement.locale));
  const svg = chartSvg(spec);
  return { spec, svg, texts: textsOf(svg) };
}

/** A line drawn dashed in `colour` (ECharts writes strokes in upper or lower case). */
const dashedLine = (svg: string, colour: string) =>
  [...svg.matchAll(/<path [^>]*>/g)].some((m) => /stroke-dasharray="[\d.,\s]+"/.test(m[0]) && m[0].toLowerCase().includes(`stroke="${colour.toLowerCase()}"`));

describe('the lead flow chart', () => {
  // 483 MQLs of 500; the target pace is 500 / 31 days = 16.13 a day.
  it('in German: title, month, axes, the outcomes in the legend, days as 1.10., and the target line labelled 16,1', () => {
    const { texts: t, svg } = chart('flow', de);
    expect(t).toEqual(expect.arrayContaining([
      'MQLs pro Tag und was aus ihnen wurde', 'Oktober 2026: 483 von 500 MQLs geliefert',
      'Eingangstag', 'MQLs',
      'Angenommen', 'Noch offen', 'Zurück ins Nurturing', 'Abgelehnt', 'Zielrate: 16,1 MQLs pro Tag',
      'Ziel 16,1/Tag', '1.10.', '31.10.',
    ]));
    expect(dashedLine(svg, '#000000') || dashedLine(svg, '#000')).toBe(true);
    // Each outcome in its colour of the colour-blind-safe palette: a bar per day and a legend icon.
    for (const colour of [PALETTE.green, PALETTE.sky, PALETTE.yellow, PALETTE.vermillion]) expect(svg.split(`fill="${colour}"`)).toHaveLength(31 + 1 + 1);
  });

  it('in English: the same chart in English words and US number and date formats', () => {
    const { texts: t, svg } = chart('flow', en);
    expect(t).toEqual(expect.arrayContaining([
      'MQLs by day and what became of them', 'October 2026: 483 of 500 MQLs delivered',
      'Day received', 'MQLs', 'Accepted', 'Still open', 'Back to nurture', 'Rejected', 'Target pace: 16.1 MQLs a day',
      'Target 16.1/day', 'Oct 1', 'Oct 31',
    ]));
    expect(t.join('\n')).not.toMatch(/Angenommen|Zielrate|1\.10\./);
    expect(dashedLine(svg, '#000000') || dashedLine(svg, '#000')).toBe(true);
  });

  it('says in its alt text what the bars add up to and which day was busiest', () => {
    // Open 38, rejected 60, nurture 31, accepted 483 − 129 = 354; the busiest day is the 14th with 27.
    expect(chart('flow', de).spec.alt).toBe(
      'Balkendiagramm der MQLs pro Tag im Oktober 2026, gestapelt nach Ergebnis, mit der Zielrate von 16,1 MQLs pro Tag als gestrichelter Linie. '
      + '483 von 500 MQLs geliefert: 354 angenommen, 60 abgelehnt, 31 zurück ins Nurturing, 38 noch offen. Stärkster Tag: 14.10. mit 27 MQLs.',
    );
  });
});

describe('the funnel chart', () => {
  // 483 → 358 (74 %) → 268 (75 %) → 61 (23 %) → 16 (26 %); 16 of 483 = 3 %.
  it('in German: the stages with their counts, and each rate from the stage before', () => {
    const { texts: t } = chart('funnel', de);
    expect(t).toEqual(expect.arrayContaining([
      'Vom MQL zum Auftrag', 'Oktober 2026: aus 483 MQLs wurden 16 Aufträge (3\u00a0%)',
      'Stufe', 'Leads', 'Quote', 'Leads auf der Stufe', 'Quote gegenüber der Stufe davor',
      'MQL', 'Angenommen', 'Kontaktiert', 'Opportunity', 'Gewonnen',
      '483', '358', '268', '61', '16', `74${NBSP}%`, `75${NBSP}%`, `23${NBSP}%`, `26${NBSP}%`,
    ]));
  });

  it('in English', () => {
    const { texts: t, spec } = chart('funnel', en);
    expect(t).toEqual(expect.arrayContaining([
      'From MQL to won deal', 'October 2026: 483 MQLs became 16 won deals (3%)',
      'Stage', 'Leads', 'Rate', 'Leads at the stage', 'Rate from the stage before',
      'MQL', 'Accepted', 'Contacted', 'Opportunity', 'Won', '74%', '75%', '23%', '26%',
    ]));
    expect(spec.alt).toBe('Funnel of the MQLs of October 2026: MQL 483 (100\u00a0%) → Accepted 358 (74%) → Contacted 268 (75%) → Opportunity 61 (23%) → Won 16 (26%).');
  });
});

describe('the sources and campaigns chart', () => {
  it('in German: acceptance best first with its counts, and won revenue at the average deal once deals are won', () => {
    const { texts: t } = chart('sources', de);
    expect(t).toEqual(expect.arrayContaining([
      'Welche Quellen und Kampagnen liefern', 'Oktober 2026: Annahmequote der MQLs, die besten zuerst',
      'Quelle', 'Kampagne', 'Annahmequote', 'Gewonnener Umsatz', 'Gewonnener Umsatz (Aufträge × 20.000 Ø-Auftragswert)',
      // The agreement's labels for its sources, best first.
      'Empfehlung', 'Inbound', 'Netzwerk-Event', 'Marketing-Automation', 'Social Selling',
      `90${NBSP}% (36 von 40)`, `81${NBSP}% (186 von 230)`, `35${NBSP}% (9 von 26)`,
      'webinar-industrie-4-0', `88${NBSP}% (46 von 52)`,
      // Referral: 4 won × 20,000; inbound 9 × 20,000.
      '80.000', '180.000',
    ]));
    const sources = ['Empfehlung', 'Inbound', 'Netzwerk-Event', 'Marketing-Automation', 'Social Selling'].map((s) => t.indexOf(s));
    expect(sources).toEqual([...sources].sort((a, b) => a - b));
  });

  it('in English, and without revenue while no deal is won', () => {
    const n = octoberNumbers(en);
    const none = { ...n, sources: n.sources.map((r) => ({ ...r, won: 0 })), campaigns: n.campaigns.map((r) => ({ ...r, won: 0 })) };
    const { texts: t } = chart('sources', en, none);
    expect(t).toEqual(expect.arrayContaining(['Which sources and campaigns deliver', 'Source', 'Campaign', 'Acceptance rate', '90% (36 of 40)']));
    expect(t).not.toContain('Won revenue');
    expect(chart('sources', en).texts).toContain('Won revenue');
  });
});

describe('the speed to lead chart', () => {
  it('in German: per queue the median share of the SLA’s deadline used to accept and to first contact, and how many made it, the deadline drawn at 100 %', () => {
    const { texts: t, svg } = chart('speed', de);
    expect(t).toEqual(expect.arrayContaining([
      'Reaktionszeit je Queue gegen das SLA', `Oktober 2026: Median je Queue; 100${NBSP}% = die Frist laut SLA ist ausgeschöpft`,
      'Queue', 'Anteil der SLA-Frist (Median)', 'Bis zur Annahme', 'Bis zum Erstkontakt', `SLA-Frist (100${NBSP}%)`, 'SLA',
      'Inside Sales DACH Nord', 'Field Sales DACH',
      // 171 of 190 = 90 % on time; 31 of 92 = 34 %; 139 of 160 = 87 %; 16 of 38 = 42 %.
      `42${NBSP}% · 90${NBSP}% pünktlich`, `135${NBSP}% · 34${NBSP}% pünktlich`, `55${NBSP}% · 87${NBSP}% pünktlich`, `110${NBSP}% · 42${NBSP}% pünktlich`,
    ]));
    expect(dashedLine(svg, PALETTE.vermillion)).toBe(true);
  });

  it('in English, with every queue of the agreement, also one that accepted nothing', () => {
    const n = octoberNumbers(en);
    const { texts: t, spec } = chart('speed', en, { ...n, speedByQueue: n.speedByQueue.slice(0, 1) });
    expect(t).toEqual(expect.arrayContaining(['Speed to lead by queue against the SLA', 'Share of the SLA deadline (median)', 'Time to accept', 'Time to first contact', 'SLA deadline (100%)', '42% · 90% on time', '55% · 87% on time']));
    expect(t.filter((s) => /^(Inside Sales|Field Sales)/.test(s))).toHaveLength(3);
    expect(spec.alt).toContain('Inside Sales DACH Nord: accept 42% of the deadline, 171 of 190 in time, first contact 55% of the deadline, 139 of 160 in time');
    expect(spec.alt).toContain('Field Sales DACH: accept no leads accepted, first contact no leads accepted');
  });
});

describe('every chart', () => {
  it('of an empty month still draws, with its title and axes, and says so in words', async () => {
    for (const agreement of [de, en]) {
      for (const spec of digestCharts(emptyNumbers(agreement, '2027-03'), agreement, texts(agreement.locale))) {
        const { svg, png } = await renderChart(spec);
        expect(textsOf(svg)).toContain(spec.title);
        expect(pngSize(png)).toEqual({ width: spec.width, height: spec.height });
        expect(spec.alt.length).toBeGreaterThan(30);
      }
    }
  });

  it('becomes a PNG of its size, at most 1024 pixels each way (Teams), with alt text Slack takes (1,000 characters)', async () => {
    for (const agreement of [de, en]) {
      const images = [];
      for (const spec of digestCharts(octoberNumbers(agreement), agreement, texts(agreement.locale))) {
        const { png } = await renderChart(spec);
        images.push({ title: spec.title, alt: spec.alt, png });
        expect(pngSize(png)).toEqual({ width: spec.width, height: spec.height });
        expect(Math.max(spec.width, spec.height)).toBeLessThanOrEqual(1024);
        expect(spec.alt.length).toBeLessThanOrEqual(ALT_MAX);
        expect(spec.filename).toBe(`leadrelay-2026-10-${spec.id}.png`);
        if (process.env.LEADRELAY_SCREENSHOTS === 'docs' && agreement.locale === 'de') writeFileSync(`docs/digest-${spec.id}.png`, png);
      }
      // Small enough (indexed colours) that Teams shows every one of them as a picture.
      const cards = chartCards(images, { timeZone: agreement.sla.timeZone, locale: agreement.locale });
      expect(cards.flatMap((c) => (c.body as { type: string }[]).filter((e) => e.type === 'Image'))).toHaveLength(4);
    }
  });

  it('draws its text with the shipped font: the same picture without its words is plainly different', async () => {
    const svg = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="10" y="28" style="font-size:20px;font-family:DejaVu Sans">${text}</text></svg>`;
    const inked = (png: Uint8Array) => darkPixels(png);
    expect(inked(await svgToPng(svg('')))).toBe(0);
    expect(inked(await svgToPng(svg('Größe 1.234,5')))).toBeGreaterThan(100);
  });
});

/** Width and height from the PNG's header. */
function pngSize(png: Uint8Array) {
  const b = Buffer.from(png);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Pixels darker than mid-grey in an 8-bit PNG, indexed or RGBA, undoing its row filters. */
function darkPixels(png: Uint8Array): number {
  const b = Buffer.from(png);
  const { width, height } = pngSize(png);
  const [depth, type] = [b[24], b[25]];
  expect(depth).toBe(8);
  expect([3, 6]).toContain(type); // palette, or RGBA
  const bpp = type === 3 ? 1 : 4;
  const idat: Buffer[] = [];
  let palette = Buffer.alloc(0);
  for (let at = 8; at < b.length; ) {
    const length = b.readUInt32BE(at);
    const kind = b.toString('latin1', at + 4, at + 8);
    if (kind === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + length));
    if (kind === 'PLTE') palette = b.subarray(at + 8, at + 8 + length);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  let up = new Uint8Array(stride);
  let dark = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const c = x >= bpp ? up[x - bpp]! : 0;
      const pred = [0, a, up[x]!, (a + up[x]!) >> 1, paeth(a, up[x]!, c)][filter]!;
      row[x] = (row[x]! + pred) & 0xff;
    }
    up = row;
    for (let x = 0; x < stride; x += bpp) {
      const rgb = bpp === 1 ? palette.subarray(row[x]! * 3, row[x]! * 3 + 3) : row.subarray(x, x + 3);
      if (rgb[0]! + rgb[1]! + rgb[2]! < 3 * 128) dark++;
    }
  }
  return dark;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
