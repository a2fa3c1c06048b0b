// A hand-built month of digest numbers (October 2026 at leadrelay.example.yml's company): what the
// chart tests draw, and what docs/digest-*.png show. Every number is written out here, so a test
// can say which text a chart must carry.
import type { Agreement } from '../../src/domain/agreement.ts';
import type { DigestNumbers } from '../../src/domain/digest.ts';
import { nextMonthTarget } from '../../src/domain/digest.ts';

/** Leads per day of October 2026: [accepted, rejected, nurture, open]; weekends are quiet. */
const DAYS: [number, number, number, number][] = [
  [14, 3, 1, 0], [12, 2, 1, 0], [3, 1, 0, 0], [2, 0, 0, 0], [15, 4, 2, 0], [17, 3, 1, 0], [16, 2, 2, 0],
  [13, 3, 1, 0], [14, 2, 1, 0], [3, 0, 1, 0], [2, 1, 0, 0], [18, 3, 2, 0], [19, 4, 1, 0], [21, 3, 2, 1],
  [16, 2, 1, 0], [15, 3, 2, 0], [4, 1, 0, 0], [2, 0, 1, 0], [17, 3, 2, 1], [18, 2, 1, 1], [16, 3, 2, 1],
  [14, 2, 1, 2], [13, 3, 1, 2], [3, 1, 0, 1], [2, 0, 0, 1], [15, 2, 1, 3], [14, 3, 2, 4], [12, 2, 1, 5],
  [11, 1, 1, 6], [9, 1, 0, 7], [4, 0, 0, 3],
];

export function octoberNumbers(agreement: Agreement): DigestNumbers {
  const daily = DAYS.map(([accepted, rejected, nurture, open], i) => ({ day: i + 1, accepted, rejected, nurture, open }));
  const delivered = daily.reduce((s, d) => s + d.accepted + d.rejected + d.nurture + d.open, 0);
  const accepted = daily.reduce((s, d) => s + d.accepted, 0);
  return {
    month: '2026-10', timeZone: agreement.sla.timeZone,
    mqls: { delivered, target: agreement.sla.monthlyMqlTarget, byWeek: [], evenness: 0.81 },
    offered: delivered + 12, accepted, acceptanceRate: accepted / (delivered + 12),
    rejections: [{ reason: 'not_sales_ready', count: 40 }, { reason: 'not_a_fit', count: 21 }],
    recycledToNurture: 38,
    disputes: { opened: 4, upheld: 1, overturned: 2, precedents: [] },
    speed: { claimMinutes: { median: 14, p90: 52 }, contactMinutes: { median: 185, p90: 610 } },
    breaches: { byQueue: [], byRep: [] },
    sources: [
      { name: 'referral', leads: 40, accepted: 36, acceptanceRate: 0.9, won: 4, conversion: 0.1 },
      { name: 'inbound', leads: 230, accepted: 186, acceptanceRate: 186 / 230, won: 9, conversion: 9 / 230 },
      { name: 'network_event', leads: 60, accepted: 44, acceptanceRate: 44 / 60, won: 2, conversion: 2 / 60 },
      { name: 'marketing_automation', leads: 105, accepted: 66, acceptanceRate: 66 / 105, won: 1, conversion: 1 / 105 },
      { name: 'social_selling', leads: 26, accepted: 9, acceptanceRate: 9 / 26, won: 0, conversion: 0 },
    ],
    campaigns: [
      { name: 'webinar-industrie-4-0', leads: 52, accepted: 46, acceptanceRate: 46 / 52, won: 5, conversion: 5 / 52 },
      { name: 'messe-hannover-2026', leads: 61, accepted: 45, acceptanceRate: 45 / 61, won: 3, conversion: 3 / 61 },
      { name: 'whitepaper-predictive-maintenance', leads: 88, accepted: 58, acceptanceRate: 58 / 88, won: 2, conversion: 2 / 88 },
      { name: 'newsletter-oktober', leads: 70, accepted: 33, acceptanceRate: 33 / 70, won: 0, conversion: 0 },
    ],
    load: [],
    capacityNotices: [],
    next: nextMonthTarget(agreement.funnel, { leads: 0, opportunities: 0, closed: 0, customers: 0 }, delivered),
    daily,
    funnel: { mqls: delivered, accepted: accepted + 4, contacted: 268, opportunities: 61, won: 16 },
    speedByQueue: [
      { queue: 'inside-dach-nord', claim: { count: 190, slaShare: 0.42, inTime: 171 }, contact: { count: 160, slaShare: 0.55, inTime: 139 } },
      { queue: 'inside-dach-sued', claim: { count: 92, slaShare: 1.35, inTime: 31 }, contact: { count: 70, slaShare: 0.9, inTime: 52 } },
      { queue: 'field-dach', claim: { count: 59, slaShare: 0.2, inTime: 57 }, contact: { count: 38, slaShare: 1.1, inTime: 16 } },
    ],
    erased: { onRequest: 1, byRetention: 3 },
    agreements: [],
    conversion: { from: '2026-07', to: '2026-09', bySource: [], byCampaign: [], byGrade: [] },
    revenue: [],
  };
}
