// The sandbox chat in a real browser (Debian's Chromium through playwright-core): the whole
// handoff, acting as rep, marketer and arbiter in turn. Screenshots go to a temporary folder, or
// with LEADRELAY_SCREENSHOTS=docs to docs/ for the README.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';

const shots = process.env.LEADRELAY_SCREENSHOTS === 'docs' ? 'docs' : mkdtempSync(path.join(os.tmpdir(), 'leadrelay-shots-'));
const shot = (name: string) => path.join(shots, name);

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let app: App;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  app = await startApp({ sandbox: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function tab(as: string, channel: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${app.base}/?as=${encodeURIComponent(as)}&channel=${encodeURIComponent(channel)}`);
  await page.locator('article.message, #messages:empty').first().waitFor({ state: 'attached' });
  return page;
}

async function actAs(page: Page, email: string, channel: string) {
  await page.selectOption('#as', email);
  await page.locator(`nav a[data-channel="${channel}"]`).click();
}

const card = (page: Page, company: string) => page.locator('article.message', { hasText: `Neuer Lead: ${company}` }).last();

describe.skipIf(!existsSync(CHROMIUM))('the sandbox chat in a browser', () => {
  it('a lead sent to the API appears in its queue; Accept updates the card in a second tab too; another rep is refused', async () => {
    const anna = await tab('anna.weber@example.com', 'queue:inside-dach-nord');
    const second = await tab('ben.koch@example.com', 'queue:inside-dach-nord');
    const res = await app.api('POST', '/api/leads', lead({ company: { name: 'Alpen Hydraulik GmbH', employees: 320, country: 'DE', industry: 'manufacturing' } }));
    expect(res.status).toBe(201);

    const offer = card(anna, 'Alpen Hydraulik GmbH');
    await offer.waitFor();
    await expect.poll(() => offer.textContent()).toContain('Head of Production');
    // The reasons and facts in German, with the page around them.
    expect(await offer.textContent()).toContain('Deutschland · Maschinenbau');
    expect(await offer.textContent()).toContain('Kaufbereitschaft');
    expect(await anna.locator('nav h2').allTextContents()).toEqual(['Kanäle', 'Direktnachrichten', 'Ausprobieren']);
    expect(await anna.locator('html').getAttribute('lang')).toBe('de');
    expect(await offer.textContent()).not.toContain('@example.com');
    await anna.screenshot({ path: shot('sandbox-offer.png') });

    await offer.getByRole('button', { name: 'Annehmen' }).click();
    await card(second, 'Alpen Hydraulik GmbH').getByText('Angenommen von').waitFor();
    expect(await card(second, 'Alpen Hydraulik GmbH').getByRole('button', { name: 'Annehmen' }).count()).toBe(0);
    await second.screenshot({ path: shot('sandbox-accepted.png') });

    // Anna's direct message holds the contact data and her buttons.
    await actAs(anna, 'anna.weber@example.com', 'dm:anna.weber@example.com');
    await anna.getByText('Dein Lead: Alpen Hydraulik GmbH').waitFor();
    expect(await anna.locator('#messages').textContent()).toContain('+49 89 1234567');

    // Clara is a rep, but not in this queue: her claim on the next lead is refused.
    const clara = await tab('clara.huber@example.com', 'queue:inside-dach-nord');
    await app.api('POST', '/api/leads', lead({ company: { name: 'Donau Logistik AG', employees: 150, country: 'DE', industry: 'logistics' } }));
    await card(clara, 'Donau Logistik AG').getByRole('button', { name: 'Annehmen' }).click();
    await clara.locator('#notice').getByText('Du bist kein Mitglied der Queue').waitFor();
    await clara.screenshot({ path: shot('sandbox-refused.png') });
    await Promise.all([anna.close(), second.close(), clara.close()]);
  }, 60_000);

  it('reject as not sales-ready → the marketer sees the feedback → dispute → the arbiter overturns → offered again', async () => {
    const page = await tab('ben.koch@example.com', 'queue:inside-dach-nord');
    await app.api('POST', '/api/leads', lead({ company: { name: 'Rhein Sensorik GmbH', employees: 95, country: 'DE', industry: 'electronics' } }));
    const offer = card(page, 'Rhein Sensorik GmbH');
    await offer.getByRole('button', { name: 'Ablehnen' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByLabel('Grund').selectOption('other');
    await dialog.getByRole('button', { name: 'Ablehnen' }).click();
    await dialog.getByText('Bei „Sonstiges“ bitte kurz begründen.').waitFor();
    await dialog.getByLabel('Grund').selectOption('not_sales_ready');
    await dialog.getByLabel('Notiz für Marketing').fill('Projekt erst im Herbst, <b>kein</b> Budget');
    await page.screenshot({ path: shot('sandbox-reject.png') });
    await dialog.getByRole('button', { name: 'Ablehnen' }).click();
    await offer.getByText('Abgelehnt von').waitFor();

    // Acting as the marketer: the feedback is in her direct messages, with a way to dispute.
    await actAs(page, 'mia.schulz@example.com', 'dm:mia.schulz@example.com');
    const notice = page.locator('article.message', { hasText: 'Lead abgelehnt: Rhein Sensorik GmbH' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Projekt erst im Herbst, <b>kein</b> Budget');
    await page.screenshot({ path: shot('sandbox-marketer.png') });
    await notice.getByRole('button', { name: 'Widersprechen' }).click();
    await page.locator('dialog[open]').getByLabel('Warum ist der Lead gut?').fill('Demo angefragt, Budget für Q1 freigegeben.');
    await page.locator('dialog[open]').getByRole('button', { name: 'Zur Schlichtung' }).click();
    await page.locator('#notice').getByText('Dein Widerspruch liegt jetzt bei Sophie Wagner').waitFor();

    // The rejecting rep cannot arbitrate: acting as Ben on Sophie's card is refused.
    await actAs(page, 'sophie.wagner@example.com', 'dm:sophie.wagner@example.com');
    const dispute = page.locator('article.message', { hasText: 'Streitfall: Rhein Sensorik GmbH' });
    await dispute.waitFor();
    await page.selectOption('#as', 'ben.koch@example.com');
    await page.locator('nav a[data-channel="dm:sophie.wagner@example.com"]').click();
    await page.locator('article.message', { hasText: 'Streitfall: Rhein Sensorik GmbH' }).getByRole('button', { name: 'Ablehnung aufheben' }).click();
    await page.locator('#notice').getByText('Du kannst diesen Streitfall nicht entscheiden').waitFor();

    await page.selectOption('#as', 'sophie.wagner@example.com');
    await page.locator('nav a[data-channel="dm:sophie.wagner@example.com"]').click();
    await page.screenshot({ path: shot('sandbox-arbiter.png') });
    await page.locator('article.message', { hasText: 'Streitfall: Rhein Sensorik GmbH' }).getByRole('button', { name: 'Ablehnung aufheben' }).click();
    await page.locator('dialog[open]').getByLabel('Begründung (wird Präzedenzfall)').fill('Budget ist freigegeben: kaufbereit.');
    await page.locator('dialog[open]').getByRole('button', { name: 'Entscheiden' }).click();
    await page.locator('#notice').getByText('Entscheidung gespeichert').waitFor();

    await page.locator('nav a[data-channel="queue:inside-dach-nord"]').click();
    const again = page.locator('article.message', { hasText: 'Erneut angeboten' }).filter({ hasText: 'Rhein Sensorik GmbH' });
    await again.waitFor();
    expect(await again.getByRole('button', { name: 'Annehmen' }).count()).toBe(1);
    await page.screenshot({ path: shot('sandbox-offered-again.png') });

    // "Monatsbericht jetzt senden": the month so far, with its four charts under it, each titled
    // and with words for who cannot see it, in the alignment channel.
    await page.locator('nav a[data-channel="digest"]').click();
    await page.getByRole('button', { name: 'Monatsbericht jetzt senden' }).click();
    await page.locator('article.message', { hasText: 'Monatsbericht' }).waitFor();
    const charts = page.locator('article.message .reply img.chart');
    await charts.nth(3).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('img.chart')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
    expect(await charts.evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth))).toEqual([800, 800, 800, 800]);
    const alts = await charts.evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt') ?? ''));
    expect(alts[0]).toMatch(/^Balkendiagramm der MQLs pro Tag im \S+ \d{4}/);
    expect(alts[1]).toMatch(/^Trichter der MQLs aus dem /);
    expect(alts[3]).toMatch(/^Balkendiagramm der Reaktionszeit im /);
    const replies = await page.locator('article.message .reply').allInnerTexts();
    expect(replies.map((r) => r.trim())).toEqual(['MQLs pro Tag und was aus ihnen wurde', 'Vom MQL zum Auftrag', 'Welche Quellen und Kampagnen liefern', 'Reaktionszeit je Queue gegen das SLA']);
    await page.screenshot({ path: shot('sandbox-digest.png'), fullPage: true });
    await charts.first().evaluate((img) => img.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: shot('sandbox-digest-charts.png') });
    await page.close();
  }, 60_000);
});
