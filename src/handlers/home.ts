// The rep's home: their open leads, each as their own lead card with its buttons.
import type { Block, View } from '../domain/view.ts';
import { repLeadView } from '../domain/views.ts';
import { type Deps, queueOf, textsOf } from './deps.ts';

export async function homeView(deps: Deps, actor: string): Promise<View> {
  const t = textsOf(deps);
  const leads = await deps.leads.openOf(actor);
  const blocks: Block[] = [{ type: 'header', text: t.command.mineHeader }];
  if (leads.length === 0) blocks.push({ type: 'text', text: [t.command.mineEmpty] });
  // Slack allows 100 blocks on a home tab; ten lead cards stay well within it.
  for (const lead of leads.slice(0, 10)) {
    const insideSales = queueOf(deps.agreement, lead)?.team === 'inside_sales';
    blocks.push({ type: 'divider' }, ...repLeadView(lead, deps.agreement, t, { insideSales }).blocks);
  }
  return { fallback: t.command.mineHeader, blocks };
}
