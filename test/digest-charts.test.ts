// GET /api/digest/chart.png: one chart of a month's digest as PNG, for a wiki or a slide, behind
// the same admin token as the digest's numbers; a query it cannot draw is refused with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChartId, digestChart } from '../src/domain/charts.ts';
import type { DigestNumbers } from '../src/domain/digest.ts';
import { texts } from '../src/domain/texts.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { renderChart } from '../src/infra/charts.ts';
import { lead, startApp, TOKEN } from './support/app.ts';

const agreement = loadAgreement('leadrelay.example.yml');
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  app = await startApp();
  for (let i = 0; i < 3; i++) expect((await app.api('POST', '/api/leads', lead())).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const get = (route: string, token: string | null = TOKEN) => fetch(`${app.base}${route}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('GET /api/digest/chart.png', () => {
  it('draws the month’s chart: the same picture the digest shows, as an inline PNG nobody caches', async () => {
    const month = (await app.api('GET', '/api/digest')).body as DigestNumbers;
    expect(month.mqls.delivered).toBe(3);
    for (const chart of ['flow', 'funnel', 'sources', 'speed'] as ChartId[]) {
      const res = await get(`/api/digest/chart.png?month=${month.month}&chart=${chart}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toBe(`inline; filename="leadrelay-${month.month}-${chart}.png"`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const expected = await renderChart(digestChart(chart, month, agreement, texts(agreement.locale)));
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(expected.png))).toBe(true);
    }
  });

  it('without a month, the month so far', async () => {
    const month = (await app.api('GET', '/api/digest')).body as DigestNumbers;
    const res = await get('/api/digest/chart.png?chart=funnel');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="leadrelay-${month.month}-funnel.png"`);
  });

  it('refuses what it cannot draw, saying which part of the query is wrong', async () => {
    const refused = async (query: string) => {
      const res = await get(`/api/digest/chart.png${query}`);
      expect(res.status, query).toBe(400);
      return res.json();
    };
    expect(await refused('?month=2026-11')).toEqual({ error: 'invalid query', fields: [{ path: 'chart', message: 'is not one of flow, funnel, sources, speed' }] });
    expect(await refused('?chart=pie')).toEqual({ error: 'invalid query', fields: [{ path: 'chart', message: 'is not one of flow, funnel, sources, speed' }] });
    expect(await refused('?chart=flow&month=2026-13')).toEqual({ error: 'invalid query', fields: [{ path: 'month', message: 'is not a month like 2026-11 (from 1970-01 to 2999-12)' }] });
    expect((await refused('?chart=flow&chart=speed')).fields).toEqual([{ path: 'chart', message: 'is not one of flow, funnel, sources, speed' }]);
    expect((await refused('?chart=flow&month=2026-11&month=2026-12')).fields[0].path).toBe('month');
  });

  it('needs a token, as the digest does', async () => {
    expect((await get('/api/digest/chart.png?chart=flow', null)).status).toBe(401);
    expect((await get('/api/digest/chart.png?chart=flow', 'not-a-token')).status).toBe(401);
  });
});
