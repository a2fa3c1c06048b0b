import { describe, expect, it } from 'vitest';
import { backoffMs, deliver } from '../../src/handlers/deliver.ts';
import { noticeView } from '../../src/domain/views.ts';
import { digestFor, postDigestNow, postMonthlyDigest } from '../../src/handlers/post-digest.ts';
import { type Attached, viewText } from '../support/memory-chat.ts';
import { DIGEST_CHANNEL, harness, MIA, textOf } from '../support/handler-deps.ts';

/** The four charts of a month, as the files under its digest. */
const charts = (month: string) => ['flow', 'funnel', 'sources', 'speed'].map((c) => `leadrelay-${month}-${c}.png`);
const filenames = (a: Attached | undefined) => a?.files.map((f) => f.filename);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the monthly digest', () => {
  it("queues last month's digest once, however often the job runs", async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    expect(await postMonthlyDigest(h.deps)).toBe(true);
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    expect(h.stores.inspect.deliveries({ kind: 'digest' })).toMatchObject([{ key: 'digest:2026-02', status: 'pending' }]);
    expect(h.queued()).toBe(1);
  });

  it("the month is the team's: just after midnight on the 1st in Berlin it is still the month before in UTC", async () => {
    const h = harness({ now: '2026-03-31T22:30:00Z' }); // 1 April, 00:30 in Berlin
    await postMonthlyDigest(h.deps);
    expect(h.stores.inspect.deliveries({ kind: 'digest' })).toMatchObject([{ key: 'digest:2026-03' }]);
  });

  it('is posted to the digest channel with its charts', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    expect(await deliver(h.deps)).toEqual({ taken: 1, limit: 25, posted: 1, failed: 0 });
    expect(h.digestRequests).toEqual(['2026-02']);
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(viewText(h.chat.postsTo(DIGEST_CHANNEL)[0]!)).toContain(h.agreement.company);
    // The charts follow as one message of their own, under the posted digest.
    expect(h.stores.inspect.deliveries({ status: 'pending' })).toMatchObject([{ kind: 'message', data: { parentKey: 'digest:2026-02', message: { op: 'attach' } } }]);
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.attaches).toHaveLength(1);
    expect(h.chat.attaches[0]!.ref).toEqual(h.chat.posts[0]!.ref);
    expect(filenames(h.chat.attaches[0])).toEqual(charts('2026-02'));
    // Pictures with a title and words for those who cannot see them, in the agreement's language.
    for (const file of h.chat.attaches[0]!.files) {
      expect(Buffer.from(file.bytes.subarray(0, 8))).toEqual(PNG);
      expect(file.alt.length).toBeGreaterThan(40);
    }
    expect(h.chat.attaches[0]!.files.map((f) => f.title)).toEqual([h.t.charts.flow.title, h.t.charts.funnel.title, h.t.charts.sources.title, h.t.charts.speed.title]);
    expect(h.chat.attaches[0]!.files[0]!.alt).toContain('Februar 2026');
    expect(h.chat.posts).toHaveLength(1);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it("when the chat's post fails, that month's digest is still posted later, exactly once", async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    expect(await postMonthlyDigest(h.deps)).toBe(true);
    h.chat.failNext('post');
    expect(await h.deliver()).toEqual({ posted: 0, failed: 1 });
    expect(h.chat.posts).toEqual([]);
    expect(h.chat.attaches).toEqual([]);
    expect(h.stores.inspect.deliveries()).toMatchObject([{ kind: 'digest', status: 'pending', lastError: 'post failed (test)' }]);

    // The job runs again (a restart, the next day): still one digest for February.
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    h.clock.advance(backoffMs(1));
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 }); // the digest, then its chart
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    h.clock.advance({ days: 1 });
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });

    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.chat.attaches).toHaveLength(1);
    expect(h.stores.inspect.deliveries({ kind: 'digest' })).toMatchObject([{ key: 'digest:2026-02', status: 'posted' }]);
  });

  it('a failed upload of the charts does not post the digest a second time, and is itself sent again', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    h.chat.failNext('attach');
    expect(await h.deliver()).toEqual({ posted: 1, failed: 1 });
    expect(h.chat.attaches).toEqual([]);
    expect(h.logs.join('\n')).toContain('attach failed (test)');
    h.clock.advance({ hours: 1 });
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.chat.attaches).toMatchObject([{ ref: h.chat.posts[0]!.ref }]);
    expect(filenames(h.chat.attaches[0])).toEqual(charts('2026-02'));
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('charts that cannot be drawn are left out: the digest goes out without them, and the log says why', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    h.deps.charts = { render: async () => { throw new Error('no font'); } };
    await postMonthlyDigest(h.deps);
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.chat.attaches).toEqual([]);
    expect(h.logs.join('\n')).toContain("the digest's charts could not be drawn, so it goes out without them: no font");
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('next month gets its own digest', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    await h.deliver();
    h.clock.set('2026-04-01T07:00:00Z');
    expect(await postMonthlyDigest(h.deps)).toBe(true);
    await h.deliver();
    expect(h.digestRequests).toEqual(['2026-02', '2026-03']);
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(2);
    expect(h.chat.attaches.map((a) => [a.ref, filenames(a)])).toEqual([
      [h.chat.posts[0]!.ref, charts('2026-02')],
      [h.chat.posts[1]!.ref, charts('2026-03')],
    ]);
  });
});

describe('the digest on demand', () => {
  it('/leads digest: the asker is told at once, and the outbox sends them the month with its charts', async () => {
    const h = harness();
    expect(textOf(await digestFor(h.deps, MIA, '2026-02'))).toBe(textOf(noticeView(h.t.digest.sent('2026-02'))));
    expect(h.chat.calls).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });
    expect(h.digestRequests).toEqual(['2026-02']);
    expect(h.chat.dms).toHaveLength(1);
    expect(h.chat.dms[0]).toMatchObject({ email: MIA });
    expect(viewText(h.chat.dms[0]!.view)).toContain(h.agreement.company);
    expect(h.chat.attaches).toMatchObject([{ ref: h.chat.dms[0]!.ref }]);
    expect(filenames(h.chat.attaches[0])).toEqual(charts('2026-02'));
    expect(h.chat.posts).toEqual([]);
  });

  it('without a month, the current one; every request is its own message', async () => {
    const h = harness();
    await digestFor(h.deps, MIA, undefined);
    await digestFor(h.deps, MIA, undefined);
    await h.deliver();
    expect(h.digestRequests).toEqual(['2026-03', '2026-03']);
    expect(h.chat.dmsTo(MIA)).toHaveLength(2);
    expect(h.chat.attaches).toHaveLength(2);
  });

  it('a malformed month is refused and nothing is queued', async () => {
    const h = harness();
    expect(textOf(await digestFor(h.deps, MIA, '2026-13'))).toBe(textOf(noticeView(h.t.digest.badMonth)));
    expect(await h.deps.outbox.pendingCount()).toBe(0);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls).toEqual([]);
  });

  it('"post digest now": the month so far, to the digest channel, with its charts', async () => {
    const h = harness();
    await postDigestNow(h.deps);
    expect(h.chat.calls).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });
    expect(h.digestRequests).toEqual(['2026-03']);
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.chat.attaches).toMatchObject([{ ref: h.chat.posts[0]!.ref }]);
    expect(filenames(h.chat.attaches[0])).toEqual(charts('2026-03'));
  });
});
