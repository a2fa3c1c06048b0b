// Use case: tell marketing when a sales queue is at capacity, and once more when it is back —
// never in between (docs/domain.md: marketing throttles lead generation so reps can work the backlog).
import { noticeView } from '../domain/views.ts';
import { type Deps, tell, textsOf } from './deps.ts';

export async function checkCapacity(deps: Deps, queueId: string | null): Promise<void> {
  const queue = deps.agreement.routing.queues.find((q) => q.id === queueId);
  if (!queue) return;
  const capacity = queue.members.reduce((sum, m) => sum + m.capacity, 0);
  const limit = Math.max(1, Math.ceil((capacity * deps.agreement.sla.capacityAlert) / 100));
  const open = await deps.leads.openInQueue(queue.id);
  const flipped = await deps.escalations.capacityFlip(queue.id, open >= limit, open, limit, deps.clock.now());
  if (!flipped) return;
  const t = textsOf(deps);
  const text = flipped === 'at_capacity' ? t.escalation.atCapacity(queue.name, open, limit, capacity) : t.escalation.recovered(queue.name, open, limit);
  const { digest } = deps.agreement;
  const channel = digest.marketingChannel.slack || digest.marketingChannel.teams ? digest.marketingChannel : digest.channel;
  await tell(deps, 'tell marketing about capacity', () => deps.chat.post(channel, noticeView(text)));
}
