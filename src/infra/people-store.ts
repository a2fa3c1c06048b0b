// The people side of routing on PostgreSQL: open leads, the fair-share ledger, absences (which
// routing and the choice of an arbiter respect).
import type { People, StoredMember } from '../handlers/ports.ts';
import { membersOf } from './lead-store.ts';
import type { Db } from './prisma.ts';

export class PrismaPeople implements People {
  constructor(private readonly db: Db) {}

  members(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]> {
    return membersOf(this.db, queue, emails, month, now);
  }

  async setAway(email: string, from: Date, until: Date): Promise<void> {
    await this.db.$transaction([
      this.db.absence.deleteMany({ where: { email, until: { gt: from } } }),
      this.db.absence.create({ data: { email, from, until } }),
    ]);
  }

  async clearAway(email: string, now: Date): Promise<void> {
    await this.db.absence.updateMany({ where: { email, until: { gt: now } }, data: { until: now } });
  }

  async awayUntil(email: string, now: Date): Promise<Date | null> {
    const away = await this.db.absence.aggregate({ _max: { until: true }, where: { email, from: { lte: now }, until: { gt: now } } });
    return away._max.until;
  }
}
