// A month of generated leads for the digest benches (bench/digest.ts, bench/digest-charts.ts),
// written in SQL straight into the tables, as the app would have left them.
import type pg from 'pg';
import { monthRange } from '../src/domain/digest.ts';

const utc = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

/**
 * One month of `n` leads received evenly over the month (with a little jitter), their fates
 * drawn at random: 85% qualify (the rest stay in nurture); of those offered, 75% are accepted,
 * 20% rejected, 5% still open. Claims take 15 minutes on average (exponential). Accepted leads are
 * contacted and then won (7%), lost (14%), handed over to field sales (10%) or given up as
 * unreachable (62%); a few are still being worked. Rejections for "not a fit" / "not sales-ready"
 * go back to nurture; 5% of rejections are disputed. The escalation ladder fires for slow claims.
 * Events are written in time order, interleaved as the app writes them.
 */
export async function seedMonth(client: pg.Client, month: string, n: number, offset: number, tz: string): Promise<void> {
  const { start, end } = monthRange(month, tz);
  const s = utc(start);
  const spanSeconds = (end.getTime() - start.getTime()) / 1000;
  const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
  await q('DROP TABLE IF EXISTS bench_fate');
  // The draws per lead, and everything derived from them, in one place.
  await q(`
    CREATE UNLOGGED TABLE bench_fate AS
    SELECT i, gen_random_uuid() AS id, received, offered_at,
      qualified, decision, outcome, reason, disputed, upheld, claim_min, contact_min,
      (ARRAY['inbound','inbound','marketing_automation','cold_call','social_selling','referral','network_event'])[1 + (i % 7)] AS source,
      'campaign-' || lpad(((i::bigint * 7919) % 40)::text, 2, '0') AS campaign,
      (ARRAY['anna.weber@example.com','ben.koch@example.com','clara.huber@example.com','david.fischer@example.com','lena.bauer@example.com'])[1 + (i % 5)] AS rep,
      (ARRAY['inside-dach-nord','inside-dach-nord','inside-dach-sued','field-dach','field-dach'])[1 + (i % 5)] AS queue
    FROM (
      SELECT i, received, received + make_interval(secs => 5 + 25 * r5) AS offered_at,
        r0 < 0.85 AS qualified,
        CASE WHEN r1 < 0.75 THEN 'accepted' WHEN r1 < 0.95 THEN 'rejected' ELSE 'open' END AS decision,
        CASE WHEN r2 < 0.05 THEN 'contacted' WHEN r2 < 0.07 THEN 'accepted' WHEN r2 < 0.14 THEN 'won' WHEN r2 < 0.28 THEN 'lost'
             WHEN r2 < 0.38 THEN 'handed_over' ELSE 'unreachable' END AS outcome,
        (ARRAY['not_a_fit','not_a_fit','not_sales_ready','not_sales_ready','not_sales_ready','duplicate','bad_contact_data','wrong_territory','other'])[1 + floor(r3 * 9)::int] AS reason,
        r4 < 0.05 AS disputed, r4 < 0.03 AS upheld,
        -ln(1 - r4) * 15 AS claim_min, (r3 ^ 2) * 600 AS contact_min
      FROM (
        SELECT i, $1::timestamp + make_interval(secs => (i - 1 + random()) * $2::float8 / $3::int) AS received,
          random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
        FROM generate_series(1, $3::int) AS i
      ) AS draws
    ) AS f`, [s, spanSeconds, n]);

  await q(`
    INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, campaign, owner, status, stage, grade, score, team, queue, assignee,
      contact, "companyName", employees, country, industry, signals, explanation, attempts, "offerRound",
      "receivedAt", "offeredAt", "claimDueAt", "acceptedAt", "contactDueAt", "contactedAt", "closedAt", "updatedAt")
    SELECT id, 'bench', 'bench-' || ($1::int + i), source, campaign, 'mia.schulz@example.com',
      (CASE WHEN NOT qualified THEN 'nurture'
            WHEN decision = 'open' THEN 'offered'
            WHEN decision = 'rejected' AND disputed AND NOT upheld THEN 'offered'
            WHEN decision = 'rejected' AND (disputed OR reason IN ('not_a_fit', 'not_sales_ready')) THEN 'nurture'
            WHEN decision = 'rejected' THEN 'rejected'
            WHEN outcome = 'handed_over' THEN 'offered'
            WHEN outcome = 'unreachable' THEN 'nurture'
            ELSE outcome END)::"LeadStatus",
      (CASE WHEN NOT qualified THEN NULL WHEN decision = 'accepted' AND outcome = 'handed_over' THEN 'SRL' WHEN i % 3 = 0 THEN 'SQL' ELSE 'MQL' END)::"Stage",
      CASE WHEN qualified THEN (CASE WHEN i % 3 = 0 THEN 'A' ELSE 'B' END) END, 20 + (i % 60),
      CASE WHEN qualified THEN (CASE WHEN queue LIKE 'field%' THEN 'field_sales' ELSE 'inside_sales' END) END,
      CASE WHEN qualified THEN queue END,
      CASE WHEN qualified AND decision = 'accepted' AND outcome <> 'handed_over' THEN rep END,
      jsonb_build_object('email', 'person' || i || '@example.com', 'firstName', 'Max', 'lastName', 'Mustermann', 'title', 'Einkauf'),
      'Firma ' || i || ' GmbH', 40 + (i % 400), (ARRAY['DE','DE','AT','CH'])[1 + (i % 4)], 'manufacturing',
      ARRAY['pricing_page'], '{"qualification":["fits (all 3 rules)","MQL, grade B (standard qualified)"],"routing":["source \\"inbound\\" is owned by inside sales"]}'::jsonb,
      CASE WHEN qualified AND decision = 'accepted' THEN 1 + (i % 3) ELSE 0 END,
      CASE WHEN qualified THEN 1 ELSE 0 END,
      received,
      CASE WHEN qualified THEN offered_at END,
      CASE WHEN qualified THEN offered_at + interval '1 hour' END,
      CASE WHEN qualified AND decision = 'accepted' THEN offered_at + make_interval(secs => claim_min * 60) END,
      CASE WHEN qualified AND decision = 'accepted' THEN offered_at + make_interval(secs => claim_min * 60) + interval '9 hours' END,
      CASE WHEN qualified AND decision = 'accepted' AND outcome IN ('contacted', 'won', 'lost', 'unreachable', 'handed_over') THEN offered_at + make_interval(secs => (claim_min + contact_min) * 60) END,
      CASE WHEN qualified AND decision = 'accepted' AND outcome IN ('won', 'lost', 'unreachable') THEN offered_at + make_interval(secs => (claim_min + contact_min) * 60) + interval '3 days' END,
      received
    FROM bench_fate`, [offset]);

  // The event log: every step a lead took, as the store writes it.
  const accepted = "qualified AND decision = 'accepted'";
  const acceptedAt = 'offered_at + make_interval(secs => claim_min * 60)';
  const contactedAt = 'offered_at + make_interval(secs => (claim_min + contact_min) * 60)';
  const closedAt = `${contactedAt} + interval '3 days'`;
  const decidedAt = "offered_at + interval '2 hours'";
  await q(`
    INSERT INTO "LeadEvent" ("leadId", at, type, actor, "from", "to", data)
    SELECT id, at, type, actor, "from"::"LeadStatus", "to"::"LeadStatus", '{}'::jsonb FROM (
      SELECT id, received AS at, 'received' AS type, NULL AS actor, 'received' AS "from", CASE WHEN qualified THEN 'qualified' ELSE 'nurture' END AS "to" FROM bench_fate
      UNION ALL SELECT id, offered_at, 'offered', NULL, 'qualified', 'offered' FROM bench_fate WHERE qualified
      UNION ALL SELECT id, ${acceptedAt}, 'accepted', rep, 'offered', 'accepted' FROM bench_fate WHERE ${accepted}
      UNION ALL SELECT id, ${acceptedAt} + interval '20 minutes', 'attempt', rep, NULL, NULL FROM bench_fate WHERE ${accepted}
      UNION ALL SELECT id, ${contactedAt}, 'contacted', rep, 'accepted', 'contacted' FROM bench_fate WHERE ${accepted} AND outcome IN ('contacted', 'won', 'lost', 'unreachable', 'handed_over')
      UNION ALL SELECT id, ${closedAt}, outcome, rep, 'contacted', outcome FROM bench_fate WHERE ${accepted} AND outcome IN ('won', 'lost')
      UNION ALL SELECT id, ${closedAt}, 'unreachable', rep, 'contacted', 'nurture' FROM bench_fate WHERE ${accepted} AND outcome = 'unreachable'
      UNION ALL SELECT id, ${closedAt}, 'handed_over', rep, 'contacted', 'handed_over' FROM bench_fate WHERE ${accepted} AND outcome = 'handed_over'
      UNION ALL SELECT id, ${closedAt}, 'offered', rep, 'handed_over', 'offered' FROM bench_fate WHERE ${accepted} AND outcome = 'handed_over'
      UNION ALL SELECT id, ${acceptedAt}, 'rejected', rep, 'offered', 'rejected' FROM bench_fate WHERE qualified AND decision = 'rejected'
      UNION ALL SELECT id, ${acceptedAt}, 'nurture', rep, 'rejected', 'nurture' FROM bench_fate WHERE qualified AND decision = 'rejected' AND reason IN ('not_a_fit', 'not_sales_ready')
      UNION ALL SELECT id, ${acceptedAt} + interval '1 hour', 'disputed', 'mia.schulz@example.com', 'rejected', 'disputed' FROM bench_fate WHERE qualified AND decision = 'rejected' AND disputed
      UNION ALL SELECT id, ${decidedAt}, CASE WHEN upheld THEN 'upheld' ELSE 'overturned' END, 'sophie.wagner@example.com', 'disputed', CASE WHEN upheld THEN 'upheld' ELSE 'overturned' END FROM bench_fate WHERE qualified AND decision = 'rejected' AND disputed
      UNION ALL SELECT id, ${decidedAt}, CASE WHEN upheld THEN 'nurture' ELSE 'offered' END, 'sophie.wagner@example.com', CASE WHEN upheld THEN 'upheld' ELSE 'overturned' END, CASE WHEN upheld THEN 'nurture' ELSE 'offered' END FROM bench_fate WHERE qualified AND decision = 'rejected' AND disputed
      UNION ALL SELECT id, offered_at + interval '30 minutes', 'escalated', NULL, NULL, NULL FROM bench_fate WHERE qualified AND claim_min > 30
    ) AS e
    ORDER BY at`);

  await q(`
    INSERT INTO "Rejection" (id, "leadId", rep, reason, note, at)
    SELECT gen_random_uuid(), id, rep, reason::"RejectReason", NULL, ${acceptedAt}
    FROM bench_fate WHERE qualified AND decision = 'rejected'`);
  await q(`
    INSERT INTO "Dispute" (id, "leadId", "rejectionId", "openedBy", rationale, arbiter, outcome, "decisionRationale", "openedAt", "decidedAt")
    SELECT gen_random_uuid(), r."leadId", r.id, 'mia.schulz@example.com', 'They asked for a demo.', 'sophie.wagner@example.com',
      (CASE WHEN f.upheld THEN 'upheld' ELSE 'overturned' END)::"LeadStatus", 'Decided by the agreed definitions.',
      r.at + interval '1 hour', f.offered_at + interval '2 hours'
    FROM bench_fate f JOIN "Rejection" r ON r."leadId" = f.id
    WHERE f.qualified AND f.decision = 'rejected' AND f.disputed`);
  // The ladder: a reminder at half the claim deadline, a breach at 100% and 150% for the slowest.
  await q(`
    INSERT INTO "Escalation" (id, "leadId", kind, round, "atPercent", action, rep, queue, "firedAt", "systemDelayMs", "peopleDelayMs")
    SELECT gen_random_uuid(), id, 'claim', 1, p.at, p.action, CASE WHEN decision = 'accepted' THEN rep END, queue,
      offered_at + make_interval(mins => p.at * 60 / 100), (extract(epoch FROM offered_at - received) * 1000)::int, p.at * 36000
    FROM bench_fate, (VALUES (50, 'remind', 30::float8), (100, 'manager', 60), (150, 'reassign', 90)) AS p(at, action, after)
    WHERE qualified AND claim_min > p.after`);
  await q(`
    INSERT INTO "CapacityNotice" (id, queue, kind, open, "limit", at)
    SELECT gen_random_uuid(), queue, CASE WHEN k % 2 = 0 THEN 'at_capacity' ELSE 'recovered' END, 40 - k % 2, 40, $1::timestamp + k * interval '2 days'
    FROM unnest(ARRAY['inside-dach-nord', 'field-dach']) AS queue, generate_series(0, 9) AS k`, [s]);
  await q('DROP TABLE bench_fate');
}
