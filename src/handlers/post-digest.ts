// Use case: the monthly alignment digest — posted to the digest channel on the agreed day, or on
// demand to whoever asks (/leads digest [YYYY-MM]).
import { randomUUID } from 'node:crypto';
import { type ChartSpec, digestCharts } from '../domain/charts.ts';
import { digestView } from '../domain/digest.ts';
import { monthOf, previousMonth } from '../domain/month.ts';
import type { View } from '../domain/view.ts';
import { noticeView } from '../domain/views.ts';
import { errorMessage } from '../domain/errors.ts';
import { type Deps, textsOf } from './deps.ts';
import type { OutMessage } from './ports.ts';

// A month the digest can be about: from 1970 (no lead is older, see intake's receivedAt) to 2999
// (PostgreSQL and the digest's look-back of earlier months need a real year either side).
export const MONTH = /^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$/;

export async function renderDigest(deps: Deps, month: string) {
  if (!deps.digests) throw new Error('no digest source configured');
  const numbers = await deps.digests.numbers(month, deps.clock.now());
  const t = textsOf(deps);
  return { numbers, view: digestView(numbers, deps.agreement, t), charts: digestCharts(numbers, deps.agreement, t) };
}

/** The charts go under the digest message as one message of their own. Drawn before the digest
 * is posted; a chart that cannot be drawn is left out rather than holding the digest back. */
export async function chartsMessage(deps: Deps, parentKey: string, charts: readonly ChartSpec[]): Promise<OutMessage | null> {
  const renderer = deps.charts;
  if (!renderer || charts.length === 0) return null;
  try {
    const files = await Promise.all(charts.map(async (c) => ({
      filename: c.filename, title: c.title, alt: c.alt, base64: Buffer.from((await renderer.render(c)).png).toString('base64'),
    })));
    return { op: 'attach', parent: { key: parentKey }, files };
  } catch (error) {
    deps.log?.error({ key: parentKey }, `the digest's charts could not be drawn, so it goes out without them: ${errorMessage(error)}`);
    return null;
  }
}

/** The scheduled digest: queued once per month, however often the job runs, and posted from the
 * outbox, so a failed post is retried rather than lost. */
export async function postMonthlyDigest(deps: Deps): Promise<boolean> {
  const month = previousMonth(deps.clock.now(), deps.agreement.sla.timeZone);
  return deps.outbox.enqueueDigest({ key: `digest:${month}`, month });
}

/** "Post digest now" (the sandbox): the current month so far, to the digest channel. */
export async function postDigestNow(deps: Deps): Promise<void> {
  const month = monthOf(deps.clock.now(), deps.agreement.sla.timeZone);
  await deps.outbox.enqueueDigest({ key: `digest:${month}:now:${randomUUID()}`, month });
}

/** On demand, to the person who asked; answers with what to show them right away. */
export async function digestFor(deps: Deps, actor: string, requested: string | undefined): Promise<View> {
  const month = requested ?? monthOf(deps.clock.now(), deps.agreement.sla.timeZone);
  if (!MONTH.test(month)) return noticeView(textsOf(deps).digest.badMonth);
  const wait = deps.digestLimit ? await deps.digestLimit.limits.hit(`digest:${actor}`, deps.digestLimit.rule, deps.clock.now()) : 0;
  if (wait > 0) return noticeView(textsOf(deps).digest.tooOften(deps.digestLimit?.rule.limit ?? 0, Math.ceil(wait / 60)));
  await deps.outbox.enqueueDigest({ key: `digest:${month}:${randomUUID()}`, month, to: actor });
  return noticeView(textsOf(deps).digest.sent(month));
}
