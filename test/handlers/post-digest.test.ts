import { describe, expect, it } from 'vitest';
import { backoffMs, deliver } from '../../src/handlers/deliver.ts';
import { postMonthlyDigest } from '../../src/handlers/post-digest.ts';
import { viewText } from '../support/memory-chat.ts';
import { DIGEST_CHANNEL, harness } from '../support/handler-deps.ts';

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

  it('is posted to the digest channel with its chart', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    expect(h.digestRequests).toEqual(['2026-02']);
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(viewText(h.chat.postsTo(DIGEST_CHANNEL)[0]!)).toContain(h.agreement.company);
    expect(h.chat.attaches).toMatchObject([{ ref: h.chat.posts[0]!.ref, file: { filename: 'leadrelay-2026-02.png' } }]);
    expect(h.chat.attaches[0]!.file.bytes.length).toBeGreaterThan(0);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it("when the chat's post fails, that month's digest is still posted later, exactly once", async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    expect(await postMonthlyDigest(h.deps)).toBe(true);
    h.chat.failNext('post');
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 1 });
    expect(h.chat.posts).toEqual([]);
    expect(h.stores.inspect.deliveries({ kind: 'digest' })).toMatchObject([{ status: 'pending', lastError: 'post failed (test)' }]);

    // The job runs again (a restart, the next day): still one digest for February.
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    h.clock.advance(backoffMs(1));
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    h.clock.advance({ days: 1 });
    expect(await postMonthlyDigest(h.deps)).toBe(false);
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });

    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.chat.attaches).toHaveLength(1);
    expect(h.stores.inspect.deliveries({ kind: 'digest' })).toMatchObject([{ key: 'digest:2026-02', status: 'posted' }]);
  });

  it('a failed chart does not post the digest a second time', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    h.chat.failNext('attach');
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    h.clock.advance({ hours: 1 });
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.logs.join('\n')).toContain('attach the digest chart');
  });

  it('next month gets its own digest', async () => {
    const h = harness({ now: '2026-03-01T08:00:00Z' });
    await postMonthlyDigest(h.deps);
    await deliver(h.deps);
    h.clock.set('2026-04-01T07:00:00Z');
    expect(await postMonthlyDigest(h.deps)).toBe(true);
    await deliver(h.deps);
    expect(h.digestRequests).toEqual(['2026-02', '2026-03']);
    expect(h.chat.postsTo(DIGEST_CHANNEL)).toHaveLength(2);
  });
});
