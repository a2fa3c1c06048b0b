// Use case: tell marketing when a sales queue is at capacity, and once more when it is back —
// never in between (docs/domain.md: marketing throttles lead generation so reps can work the backlog).
import { noticeView } from '../domain/views.ts';
import { type Deps, textsOf } from './deps.ts';
import type { OutMessage } from './ports.ts';

export async function checkCapacity(deps: Deps, queueId: string | null): Promise<void> {
  const queue = deps.agreement.routing.queues.find((q) => q.id === queueId);
  if (!queue) return;
  const capacity = queue.members.reduce((sum, m) => sum + m.capacity, 0);
  const limit = Math.max(1, Math.ceil((capacity * deps.agreement.sla.capacityAlert) / 100));
  const open = await deps.leads.openInQueue(queue.id);
  const t = textsOf(deps);
  const { digest } = deps.agreement;
  const channel = digest.marketingChannel.slack || digest.marketingChannel.teams ? digest.marketingChannel : digest.channel;
  const notice = (text: string): OutMessage[] => [{ op: 'post', channel, view: noticeView(text) }];
  // The notice is stored with the flip, so it goes out exactly once per crossing.
  await deps.escalations.capacityFlip(queue.id, open >= limit, open, limit, deps.clock.now(), {
    at_capacity: notice(t.escalation.atCapacity(queue.name, open, limit, capacity)),
    recovered: notice(t.escalation.recovered(queue.name, open, limit)),
  });
}
