// The monthly digest's charts, as chart descriptions (Apache ECharts options) built from the
// month's numbers: lead flow by day against the target pace, the funnel, acceptance and revenue
// by source and campaign, and speed to lead per queue against the SLA. Each has a title, named
// axes, a legend and an alt text that says in words what it shows, in the agreement's language.
// Pure: src/infra/charts.ts draws them (SVG, then PNG).
import type { EChartsOption } from 'echarts';
import type { Agreement } from './agreement.ts';
import { type DigestNumbers, formats, type Ranked, type StepTimes } from './digest.ts';
import { names, type Texts } from './texts.ts';

export const CHART_IDS = ['flow', 'funnel', 'sources', 'speed'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface ChartSpec {
  id: ChartId;
  /** Also the file's title in Slack. */
  title: string;
  /** What the chart shows, in words, for people who cannot see it (at most ALT_MAX characters). */
  alt: string;
  filename: string;
  width: number;
  height: number;
  option: EChartsOption;
}

/** Slack takes alt texts of up to 1,000 characters. */
export const ALT_MAX = 1000;

/** Okabe & Ito's palette, which readers with any common colour-vision deficiency tell apart. */
export const PALETTE = {
  orange: '#E69F00', sky: '#56B4E9', green: '#009E73', yellow: '#F0E442',
  blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', black: '#000000',
} as const;
const INK = '#1f2328';
const MUTED = '#57606a';
const GRID = '#e6e8eb';
/** The palette's orange and vermillion, darkened for text on white (contrast 4.5:1 and more). */
const TEXT_ORANGE = '#9A6700';
const TEXT_VERMILLION = '#A84A00';

/** Wide enough to read in Slack's preview of the image; sizes of text in pixels at that width. */
const WIDTH = 800;
const TEXT = { title: 20, subtitle: 14, legend: 14, axisName: 14, axis: 13, label: 13 } as const;
/** Rows shown per ranking: the rest is in the message. */
const TOP = 8;
/** Where the plot starts below the title, subtitle and legend. */
const PLOT_TOP = 112;

/** One chart of each kind for the month, in the order the meeting reads them. */
export function digestCharts(n: DigestNumbers, agreement: Agreement, t: Texts): ChartSpec[] {
  const ctx = context(n, agreement, t);
  return [flowChart(ctx), funnelChart(ctx), sourcesChart(ctx), speedChart(ctx)];
}

export function digestChart(id: ChartId, n: DigestNumbers, agreement: Agreement, t: Texts): ChartSpec {
  const ctx = context(n, agreement, t);
  return { flow: flowChart, funnel: funnelChart, sources: sourcesChart, speed: speedChart }[id](ctx);
}

type Context = ReturnType<typeof context>;

function context(n: DigestNumbers, agreement: Agreement, t: Texts) {
  const f = formats(t);
  const [y0, m0] = n.month.split('-').map(Number) as [number, number];
  const one = new Intl.NumberFormat(t.digest.locale, { maximumFractionDigits: 1 });
  const monthName = new Intl.DateTimeFormat(t.digest.locale, { month: 'short', timeZone: 'UTC' }).format(Date.UTC(y0, m0 - 1, 1));
  return {
    n, agreement, t, c: t.charts, f, names: names(agreement),
    month: f.month(n.month),
    one: (x: number) => one.format(x),
    day: (d: number) => t.charts.day(String(d), String(m0), monthName),
    file: (id: ChartId) => `leadrelay-${n.month}-${id}.png`,
  };
}

const cut = (text: string, max = ALT_MAX) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** What every chart shares: white ground, title and subtitle top left, the legend below them. */
function frame(title: string, subtitle: string, legend: string[]): EChartsOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { color: INK, fontSize: TEXT.axis },
    title: {
      text: title, subtext: subtitle, left: 16, top: 12, itemGap: 8,
      textStyle: { fontSize: TEXT.title, fontWeight: 'bold', color: INK },
      subtextStyle: { fontSize: TEXT.subtitle, color: MUTED },
    },
    legend: { data: legend, left: 16, top: 72, itemGap: 20, itemWidth: 22, itemHeight: 12, textStyle: { fontSize: TEXT.legend, color: INK } },
  };
}

const axisName = { nameTextStyle: { fontSize: TEXT.axisName, color: MUTED, fontWeight: 'bold' as const } };
const valueAxis = { axisLabel: { fontSize: TEXT.axis, color: MUTED }, splitLine: { lineStyle: { color: GRID } } };
const categoryAxis = { axisLabel: { fontSize: TEXT.axis, color: INK }, axisTick: { alignWithLabel: true }, axisLine: { lineStyle: { color: MUTED } } };

// ---------------------------------------------------------------------------------------------
// Lead flow: MQLs per day, stacked by what became of them, against the target pace.

function flowChart({ n, c, f, one, day, month, file }: Context): ChartSpec {
  const x = c.flow;
  const perDay = n.mqls.target / Math.max(1, n.daily.length);
  const outcomes = [
    { key: 'accepted', name: x.accepted, color: PALETTE.green },
    { key: 'open', name: x.open, color: PALETTE.sky },
    { key: 'nurture', name: x.nurture, color: PALETTE.yellow },
    { key: 'rejected', name: x.rejected, color: PALETTE.vermillion },
  ] as const;
  const target = x.target(one(perDay));
  const option: EChartsOption = {
    ...frame(x.title, x.subtitle(month, f.n(n.mqls.delivered), f.n(n.mqls.target)), [...outcomes.map((o) => o.name), target]),
    // Five legend entries take two rows at this width.
    grid: { left: 64, right: 112, top: PLOT_TOP + 32, bottom: 64 },
    xAxis: { ...categoryAxis, ...axisName, type: 'category', data: n.daily.map((d) => day(d.day)), name: x.xAxis, nameLocation: 'middle', nameGap: 38 },
    yAxis: { ...valueAxis, ...axisName, type: 'value', name: x.yAxis, nameLocation: 'middle', nameGap: 44, minInterval: 1, axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.n(v) } },
    series: [
      ...outcomes.map((o) => ({
        type: 'bar' as const, name: o.name, stack: 'leads', barCategoryGap: '25%', itemStyle: { color: o.color },
        data: n.daily.map((d) => d[o.key]),
      })),
      {
        type: 'line', name: target, data: n.daily.map(() => perDay), symbol: 'none', z: 5,
        itemStyle: { color: PALETTE.black }, lineStyle: { color: PALETTE.black, type: 'dashed', width: 2 },
        endLabel: { show: true, formatter: x.targetLabel(one(perDay)), fontSize: TEXT.label, color: INK, fontWeight: 'bold' },
      },
    ],
  };
  const sum = (k: 'accepted' | 'rejected' | 'nurture' | 'open') => n.daily.reduce((s, d) => s + d[k], 0);
  const totals = n.daily.map((d) => ({ day: d.day, leads: d.accepted + d.rejected + d.nurture + d.open }));
  const busiest = totals.reduce((best, d) => (d.leads > best.leads ? d : best), { day: 0, leads: 0 });
  const alt = x.alt(month, f.n(n.mqls.delivered), f.n(n.mqls.target), one(perDay), f.n(sum('accepted')), f.n(sum('rejected')), f.n(sum('nurture')), f.n(sum('open')))
    + (busiest.leads > 0 ? x.altBusiest(day(busiest.day), f.n(busiest.leads)) : '');
  return { id: 'flow', title: x.title, alt: cut(alt), filename: file('flow'), width: WIDTH, height: 470, option };
}

// ---------------------------------------------------------------------------------------------
// The funnel: how far the month's MQLs got, with the rate from each stage to the next.

function funnelChart({ n, c, f, month, file }: Context): ChartSpec {
  const x = c.funnel;
  const stages = (['mqls', 'accepted', 'contacted', 'opportunities', 'won'] as const).map((k) => ({ name: x.stages[k], count: n.funnel[k] }));
  const rates = stages.map((s, i) => (i === 0 ? null : rate(s.count, stages[i - 1]!.count)));
  const tallest = Math.max(1, ...stages.map((s) => s.count));
  const option: EChartsOption = {
    ...frame(x.title, x.subtitle(month, f.n(n.funnel.mqls), f.n(n.funnel.won), f.pct(rate(n.funnel.won, n.funnel.mqls))), [x.leads, x.rate]),
    grid: { left: 72, right: 72, top: PLOT_TOP + 8, bottom: 76 },
    // Each stage's rate from the one before under its name, where no bar or line can hide it.
    xAxis: {
      ...categoryAxis, ...axisName, type: 'category', data: stages.map((s) => s.name), name: x.xAxis, nameLocation: 'middle', nameGap: 52,
      axisLabel: {
        ...categoryAxis.axisLabel, lineHeight: 18, interval: 0,
        formatter: (name: string, i: number) => (i === 0 ? `{stage|${name}}` : `{stage|${name}}\n{rate|${f.pct(rates[i] ?? null)}}`),
        rich: { stage: { fontSize: TEXT.axis, color: INK }, rate: { fontSize: TEXT.axis, color: TEXT_ORANGE, fontWeight: 'bold' } },
      },
    },
    yAxis: [
      { ...valueAxis, ...axisName, type: 'value', name: x.yAxis, nameLocation: 'middle', nameGap: 48, minInterval: 1, axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.n(v) } },
      { ...valueAxis, ...axisName, type: 'value', name: x.rateAxis, nameLocation: 'middle', nameGap: 52, min: 0, max: 1, splitLine: { show: false }, axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.pct(v) } },
    ],
    series: [
      {
        // Counts inside the bars where they fit, so the line of rates crosses no label.
        type: 'bar', name: x.leads, barWidth: '55%', itemStyle: { color: PALETTE.blue },
        data: stages.map((s) => ({ value: s.count, label: s.count >= tallest * 0.15 ? { position: 'insideTop' as const, color: '#ffffff' } : { position: 'top' as const, color: INK } })),
        label: { show: true, fontSize: TEXT.label, fontWeight: 'bold', formatter: (p: { value: unknown }) => f.n(Number(p.value)) },
      },
      {
        type: 'line', name: x.rate, yAxisIndex: 1, data: rates, symbol: 'circle', symbolSize: 9, connectNulls: false,
        itemStyle: { color: PALETTE.orange }, lineStyle: { color: PALETTE.orange, width: 2 },
      },
    ],
  };
  const steps = stages.map((s, i) => x.altStep(s.name, f.n(s.count), i === 0 ? '100\u00a0%' : f.pct(rates[i] ?? null))).join(' → ');
  return { id: 'funnel', title: x.title, alt: cut(x.alt(month, steps)), filename: file('funnel'), width: WIDTH, height: 420, option };
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

// ---------------------------------------------------------------------------------------------
// Sources and campaigns: acceptance rate (and won revenue, once deals are won), best first.

function sourcesChart({ n, agreement, c, f, names, month, file }: Context): ChartSpec {
  const x = c.sources;
  const deal = agreement.funnel.averageDeal;
  const panels = [
    { axis: x.source, rows: n.sources.slice(0, TOP).map((r) => ({ ...r, label: names.source(r.name) })) },
    { axis: x.campaign, rows: n.campaigns.slice(0, TOP).map((r) => ({ ...r, label: r.name || x.noCampaign })) },
  ];
  const revenue = [...n.sources, ...n.campaigns].some((r) => r.won > 0);
  const rowHeight = revenue ? 40 : 30;
  const heights = panels.map((p) => Math.max(1, p.rows.length) * rowHeight);
  const gap = 76;
  const tops = [PLOT_TOP + (revenue ? 40 : 8), PLOT_TOP + (revenue ? 40 : 8) + heights[0]! + gap + (revenue ? 32 : 0)];
  const legend = revenue ? [x.acceptance, x.revenue] : [x.acceptance];
  const barLabel = (r: Ranked) => x.bar(f.pct(r.acceptanceRate), f.n(r.accepted), f.n(r.leads));
  const option: EChartsOption = {
    ...frame(x.title, x.subtitle(month), legend),
    // Room on the right for the labels of the longest bars.
    grid: panels.map((_, i) => ({ left: 204, right: 136, top: tops[i]!, height: heights[i]! })),
    yAxis: panels.map((p, i) => ({
      ...categoryAxis, ...axisName, type: 'category' as const, gridIndex: i, inverse: true, data: p.rows.map((r) => r.label),
      name: p.axis, nameLocation: 'middle' as const, nameGap: 186,
      axisLabel: { ...categoryAxis.axisLabel, width: 164, overflow: 'truncate' as const },
    })),
    xAxis: [
      ...panels.map((_, i) => ({
        ...valueAxis, ...axisName, type: 'value' as const, gridIndex: i, min: 0, max: 1, name: x.acceptance, nameLocation: 'middle' as const, nameGap: 28,
        axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.pct(v) },
      })),
      ...(revenue ? panels.map((_, i) => ({
        ...valueAxis, ...axisName, type: 'value' as const, gridIndex: i, position: 'top' as const, min: 0, name: x.revenueAxis(f.n(deal)), nameLocation: 'middle' as const, nameGap: 26,
        splitLine: { show: false }, axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.n(v) },
      })) : []),
    ],
    series: [
      ...panels.map((p, i) => ({
        type: 'bar' as const, name: x.acceptance, xAxisIndex: i, yAxisIndex: i, barMaxWidth: 18, itemStyle: { color: PALETTE.green },
        data: p.rows.map((r) => r.acceptanceRate),
        label: { show: true, position: 'right' as const, fontSize: TEXT.label, color: INK, formatter: (q: { dataIndex: number }) => barLabel(p.rows[q.dataIndex]!) },
      })),
      ...(revenue ? panels.map((p, i) => ({
        type: 'bar' as const, name: x.revenue, xAxisIndex: panels.length + i, yAxisIndex: i, barMaxWidth: 14, itemStyle: { color: PALETTE.purple },
        data: p.rows.map((r) => r.won * deal),
        label: { show: true, position: 'right' as const, fontSize: TEXT.label, color: INK, formatter: (q: { value: unknown }) => (Number(q.value) > 0 ? f.n(Number(q.value)) : '') },
      })) : []),
    ],
  };
  const lines = (rows: (Ranked & { label: string })[]) => rows.length
    ? rows.slice(0, 5).map((r) => x.altLine(r.label, f.pct(r.acceptanceRate), f.n(r.accepted), f.n(r.leads)) + (revenue && r.won ? x.altRevenue(f.n(r.won * deal)) : '')).join('; ')
    : x.none;
  const alt = x.alt(month, lines(panels[0]!.rows), lines(panels[1]!.rows));
  const height = tops[1]! + heights[1]! + 56;
  return { id: 'sources', title: x.title, alt: cut(alt), filename: file('sources'), width: WIDTH, height, option };
}

// ---------------------------------------------------------------------------------------------
// Speed to lead: per queue, the median time to accept and to first contact as a share of the
// SLA's deadline (grades have different deadlines, so a queue's leads are measured each against
// its own), with the deadline drawn at 100 %.

function speedChart({ n, agreement, c, f, names, month, file }: Context): ChartSpec {
  const x = c.speed;
  const known = new Set(n.speedByQueue.map((q) => q.queue));
  const queues = [...agreement.routing.queues.map((q) => q.id).filter((id) => !known.has(id)).map((queue) => ({ queue, claim: EMPTY, contact: EMPTY })), ...n.speedByQueue]
    .sort((a, b) => order(agreement, a.queue) - order(agreement, b.queue));
  const shares = queues.flatMap((q) => [q.claim.slaShare ?? 0, q.contact.slaShare ?? 0]);
  // The deadline stays in view however fast everyone was; far beyond it the bars run to the edge.
  const max = Math.min(4, Math.max(1.25, Math.ceil(Math.max(0, ...shares) * 1.15 * 2) / 2));
  const label = (s: StepTimes) => (s.count ? x.bar(f.pct(s.slaShare), f.pct(s.inTime / s.count)) : '');
  const steps = [
    { key: 'claim', name: x.claim, color: PALETTE.blue },
    { key: 'contact', name: x.contact, color: PALETTE.orange },
  ] as const;
  const rowHeight = 64;
  const height = PLOT_TOP + 8 + Math.max(1, queues.length) * rowHeight + 64;
  const option: EChartsOption = {
    ...frame(x.title, x.subtitle(month), [...steps.map((s) => s.name), x.sla]),
    grid: { left: 234, right: 184, top: PLOT_TOP + 8, bottom: 64 },
    yAxis: {
      ...categoryAxis, ...axisName, type: 'category', inverse: true, data: queues.map((q) => names.queue(q.queue)),
      name: x.yAxis, nameLocation: 'middle', nameGap: 216,
      axisLabel: { ...categoryAxis.axisLabel, width: 194, overflow: 'truncate' },
    },
    xAxis: {
      ...valueAxis, ...axisName, type: 'value', min: 0, max, interval: max > 2 ? 0.5 : 0.25, name: x.xAxis, nameLocation: 'middle', nameGap: 36,
      axisLabel: { ...valueAxis.axisLabel, formatter: (v: number) => f.pct(v) },
    },
    series: [
      ...steps.map((s) => ({
        type: 'bar' as const, name: s.name, barMaxWidth: 20, barGap: '30%', itemStyle: { color: s.color },
        data: queues.map((q) => (q[s.key].slaShare === null ? null : Math.min(q[s.key].slaShare!, max))),
        // On white, so the deadline's line behind a label does not cross it out.
        label: {
          show: true, position: 'right' as const, fontSize: TEXT.label, color: INK, backgroundColor: '#ffffff', padding: [4, 3],
          formatter: (p: { dataIndex: number }) => label(queues[p.dataIndex]![s.key]),
        },
      })),
      {
        // The deadline: a legend entry of its own, and a line across every queue at 100 %.
        type: 'line', name: x.sla, data: [], itemStyle: { color: PALETTE.vermillion }, lineStyle: { color: PALETTE.vermillion, type: 'dashed', width: 2 },
        markLine: {
          // Under the bars' labels (mark lines lie on top by default).
          silent: true, symbol: 'none', z: 1, data: [{ xAxis: 1 }], lineStyle: { color: PALETTE.vermillion, type: 'dashed', width: 2 },
          label: { show: true, position: 'start', formatter: x.slaLabel, fontSize: TEXT.label, fontWeight: 'bold', color: TEXT_VERMILLION },
        },
      },
    ],
  };
  const time = (s: StepTimes) => (s.count ? x.altTime(f.pct(s.slaShare), f.n(s.inTime), f.n(s.count)) : x.none);
  const alt = x.alt(month, queues.length ? queues.map((q) => x.altQueue(names.queue(q.queue), time(q.claim), time(q.contact))).join('; ') : x.none);
  return { id: 'speed', title: x.title, alt: cut(alt), filename: file('speed'), width: WIDTH, height, option };
}

const EMPTY: StepTimes = { count: 0, slaShare: null, inTime: 0 };

/** The agreement's order; queues no longer in it after those. */
function order(agreement: Agreement, queue: string): number {
  const i = agreement.routing.queues.findIndex((q) => q.id === queue);
  return i < 0 ? agreement.routing.queues.length : i;
}
