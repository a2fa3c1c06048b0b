// The `/leads` command: mine, away until DATE, back, sla, precedents [reason], help.
import { DateTime } from 'luxon';
import { REJECT_REASONS, type RejectReason } from '../domain/rejections.ts';
import type { Rich, View } from '../domain/view.ts';
import { listView, noticeView, precedentLine, slaView } from '../domain/views.ts';
import { z } from '../domain/zod-messages.ts';
import { type Deps, textsOf } from './deps.ts';
import { digestFor } from './post-digest.ts';

const awayInput = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export async function runCommand(deps: Deps, input: { actor: string; text: string }): Promise<View> {
  const t = textsOf(deps);
  const [word = 'help', ...rest] = input.text.trim().split(/\s+/).filter(Boolean);
  const now = deps.clock.now();
  switch (word.toLowerCase()) {
    case 'mine': {
      const leads = await deps.leads.openOf(input.actor);
      const items: Rich[] = leads.map((l) => {
        const line: Rich = [{ bold: l.companyName ?? '—' }, ` · ${t.statuses[l.status]}`];
        if (l.status === 'accepted' && l.contactDueAt) line.push(t.command.due, { time: l.contactDueAt });
        return line;
      });
      return listView(t.command.mineHeader, items, t.command.mineEmpty);
    }
    case 'away': {
      const date = awayInput.safeParse(rest[0] === 'until' ? rest[1] : rest[0]);
      const zone = deps.agreement.sla.timeZone;
      // Away *until* a day means back on that day's morning, in the team's time zone.
      const until = date.success ? DateTime.fromISO(date.data, { zone }).startOf('day') : null;
      if (!until?.isValid || until.toJSDate() <= now) return noticeView(t.command.awayBad);
      await deps.people.setAway(input.actor, now, until.toJSDate());
      return noticeView(t.command.awayUntil, { time: until.toJSDate() });
    }
    case 'back':
      await deps.people.clearAway(input.actor, now);
      return noticeView(t.command.back);
    case 'sla':
      return slaView(deps.agreement, t, deps.agreement.locale);
    case 'precedents': {
      const wanted = rest[0] as RejectReason | undefined;
      const reason = wanted && (REJECT_REASONS as readonly string[]).includes(wanted) ? wanted : null;
      const precedents = await deps.disputes.precedents(reason, 20);
      return listView(t.command.precedentsHeader, precedents.map((p) => precedentLine(p, t)), t.command.precedentsEmpty);
    }
    case 'digest':
      return digestFor(deps, input.actor, rest[0]);
    case 'help':
      return listView(t.command.helpHeader, t.command.help.map((line) => [line]), '');
    default:
      return listView(t.command.unknown(input.text.trim()), t.command.help.map((line) => [line]), '');
  }
}
