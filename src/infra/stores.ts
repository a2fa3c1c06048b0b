// All stores on one PostgreSQL. `onQueued` runs after a commit that queued a chat message or a webhook, so the
// outbox worker wakes without any handler asking for it.
import type { Subscription } from '../domain/webhooks.ts';
import type { Stores } from '../handlers/ports.ts';
import { PrismaDisputes } from './dispute-store.ts';
import { PrismaEscalations } from './escalation-store.ts';
import { PrismaLeads } from './lead-store.ts';
import { PrismaOutbox } from './outbox-store.ts';
import { PrismaPeople } from './people-store.ts';
import type { Db } from './prisma.ts';

/** `subscriptions`: who gets which lead events (the agreement's webhooks), queued with each change;
 * `crmWriteBack`: the CRMs whose leads hear of each change (src/infra/crm-store.ts). */
export function prismaStores(db: Db, onQueued: () => void = () => {}, subscriptions: () => readonly Subscription[] = () => [], crmWriteBack: readonly string[] = []): Stores {
  const leads = new PrismaLeads(db, onQueued, subscriptions, crmWriteBack);
  return {
    leads,
    disputes: new PrismaDisputes(db),
    people: new PrismaPeople(db),
    escalations: new PrismaEscalations(db, onQueued),
    outbox: new PrismaOutbox(db, leads, onQueued),
  };
}
