// Rate-limit counters in PostgreSQL, so every instance counts into the same window. One atomic
// upsert per hit: no read-then-write race between instances, one round trip, one row per key.
import type { RateLimits, RateRule } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

export class PrismaRateLimits implements RateLimits {
  constructor(private readonly db: Db) {}

  async hit(key: string, rule: RateRule, now: Date): Promise<number> {
    const windowMs = rule.windowSeconds * 1000;
    const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    // A later window starts the count again. An instance whose clock lags a little behind counts
    // into the newer window rather than resetting it (GREATEST).
    const [row] = await this.db.$queryRaw<{ hits: number; windowStart: Date }[]>`
      INSERT INTO "RateLimit" ("key", "windowStart", "hits") VALUES (${key}, ${start}::timestamptz, 1)
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN "RateLimit"."windowStart" >= EXCLUDED."windowStart" THEN "RateLimit"."hits" + 1 ELSE 1 END,
        "windowStart" = GREATEST("RateLimit"."windowStart", EXCLUDED."windowStart")
      RETURNING "hits", "windowStart"`;
    if (!row || row.hits <= rule.limit) return 0;
    return Math.max(1, Math.ceil((row.windowStart.getTime() + windowMs - now.getTime()) / 1000));
  }
}
