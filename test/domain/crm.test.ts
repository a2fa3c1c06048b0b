import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type AgreementError, parseAgreement } from '../../src/domain/agreement.ts';
import { accept, logAttempt, offerPosted, reject, type LeadChange } from '../../src/domain/changes.ts';
import { type CrmMapping, crmWriteOf, fieldsFor, leadCandidate, mappingProblems } from '../../src/domain/crm.ts';
import type { Lead } from '../../src/domain/lead.ts';

const example = () => parse(readFileSync('leadrelay.example.yml', 'utf8'));
const hubspot = {
  take: { field: 'lifecyclestage', values: ['marketingqualifiedlead'] },
  marketer: 'Mia.Schulz@example.com',
  source: { field: 'hs_analytics_source', values: { ORGANIC_SEARCH: 'inbound', REFERRALS: 'referral' }, default: 'marketing_automation' },
  signals: { demo_request: { field: 'demo_requested', values: [true] }, pricing_page: { field: 'pricing_visits' } },
  countries: { Deutschland: 'de' },
  write: { accepted: { hs_lead_status: 'IN_PROGRESS' }, rejected: { hs_lead_status: 'UNQUALIFIED' }, nurture: { hs_lead_status: 'BAD_TIMING' } },
  rejectReasons: { not_a_fit: { lifecyclestage: 'other' } },
};
const withCrm = (crm: unknown) => parseAgreement({ ...example(), crm });
const mapping = (): CrmMapping => {
  const m = withCrm({ hubspot }).crm?.hubspot;
  if (!m) throw new Error('no mapping');
  return m;
};
const problemsOf = (crm: unknown): string[] => {
  try {
    withCrm(crm);
    return [];
  } catch (error) {
    return (error as AgreementError).problems;
  }
};

describe('the crm: section of the agreement', () => {
  it('is optional, and reads a mapping with YAML values as the CRM writes them', () => {
    expect(parseAgreement(example()).crm).toBeUndefined();
    const m = mapping();
    expect(m.marketer).toBe('mia.schulz@example.com');
    expect(m.signals.demo_request?.values).toEqual(['true']);
    expect(m.countries).toEqual({ Deutschland: 'DE' });
    expect(m.outcomes.currency).toBe('EUR');
  });

  it('names what does not fit the rest of the agreement', () => {
    const problems = problemsOf({ hubspot: { ...hubspot, marketer: 'anna.weber@example.com', source: { field: 'x', values: { A: 'web' }, default: 'print' }, signals: { telepathy: { field: 'x' } } } });
    expect(problems).toEqual(expect.arrayContaining([
      'crm.hubspot.marketer: anna.weber@example.com is not a person with the role marketer',
      'crm.hubspot.source.values.A: "web" is not one of the agreement\'s sources',
      'crm.hubspot.source.default: "print" is not one of the agreement\'s sources',
      'crm.hubspot.signals.telepathy: signal "telepathy" is not defined under definitions.signals',
    ]));
  });

  it('refuses an unknown decision, a lead field it cannot fill, and a source with neither values nor default', () => {
    const problems = problemsOf({ salesforce: { ...hubspot, write: { promoted: { Status: 'x' } }, fields: { shoeSize: 'Size__c' }, source: { field: 'LeadSource' } } });
    expect(problems.some((p) => p.startsWith('crm.salesforce.write'))).toBe(true);
    expect(problems.some((p) => p.startsWith('crm.salesforce.fields'))).toBe(true);
    expect(problems).toContain('crm.salesforce.source: needs a field with values, or a default');
  });
});

describe('a CRM record as a lead', () => {
  const record = (fields: Record<string, string | null>) => ({
    id: '501', modifiedAt: new Date(),
    fields: { email: 'k.berg@example.com', firstname: 'Katrin', lastname: 'Berg', company: 'Berg GmbH', numberofemployees: '250', country: 'DE', industry: 'Manufacturing', hs_analytics_source: 'REFERRALS', demo_requested: 'true', pricing_visits: '3', ...fields },
  });

  it('fills the lead from the standard fields and the mapping', () => {
    expect(leadCandidate('hubspot', mapping(), record({}))).toEqual({
      input: {
        externalId: '501', sourceSystem: 'hubspot', source: 'referral', owner: 'mia.schulz@example.com',
        contact: { email: 'k.berg@example.com', firstName: 'Katrin', lastName: 'Berg' },
        company: { name: 'Berg GmbH', employees: 250, country: 'DE', industry: 'Manufacturing' },
        signals: ['demo_request', 'pricing_page'],
      },
    });
  });

  it('takes the default source, country names from the mapping, and multi-select values', () => {
    const got = leadCandidate('hubspot', mapping(), record({ hs_analytics_source: 'DIRECT_TRAFFIC', country: 'deutschland', demo_requested: 'false;true', pricing_visits: '0' }));
    expect(got).toMatchObject({ input: { source: 'marketing_automation', company: { country: 'DE' }, signals: ['demo_request'] } });
  });

  it('says why a record cannot be a lead', () => {
    expect(leadCandidate('hubspot', mapping(), record({ country: 'Germany' }))).toEqual({ problem: 'country "Germany" is not a two-letter country code; name it under crm.hubspot.countries' });
    expect(leadCandidate('hubspot', mapping(), record({ numberofemployees: 'about 50' }))).toEqual({ problem: 'numberofemployees "about 50" is not a whole number' });
  });
});

const lead: Lead = {
  id: 'l1', sourceSystem: 'hubspot', externalId: '501', source: 'inbound', campaign: null, owner: 'mia.schulz@example.com', status: 'qualified',
  stage: 'SQL', grade: 'A', score: 70, team: 'inside_sales', queue: 'inside-dach-nord', assignee: 'anna.weber@example.com', contact: null,
  companyName: 'Berg GmbH', employees: 250, country: 'DE', industry: 'manufacturing', signals: [], explanation: { qualification: [], routing: [] },
  attempts: 0, offerRound: 0, receivedAt: new Date(), offeredAt: null, claimDueAt: null, acceptedAt: null, contactDueAt: null, contactedAt: null, closedAt: null, erasedAt: null,
  opportunityAt: null, outcomeAmount: null, outcomeCurrency: null, outcomeReason: null,
};
const at = new Date('2026-11-30T09:00:00Z');
const change = (d: ReturnType<typeof accept>) => d as LeadChange;

describe('what the CRM hears of a change', () => {
  it('an offer, an accept with its rep, an attempt with its number', () => {
    expect(crmWriteOf(change(offerPosted(lead, { at, claimDueAt: at, channel: 'C1', platform: 'slack' })))).toEqual({ decisions: ['offered'], actor: null, at: at.toISOString() });
    const offered = { ...lead, status: 'offered' as const };
    expect(crmWriteOf(change(accept(offered, { rep: 'anna.weber@example.com', at, contactDueAt: null })))).toMatchObject({ decisions: ['accepted'], actor: 'anna.weber@example.com' });
    const accepted = { ...lead, status: 'accepted' as const, attempts: 1 };
    expect(crmWriteOf(change(logAttempt(accepted, { rep: 'anna.weber@example.com', at })))).toMatchObject({ decisions: ['attempt'], attempt: 2 });
  });

  it('a rejection back to nurture: both, with the reason; the later decision wins a field', () => {
    const offered = { ...lead, status: 'offered' as const };
    const write = crmWriteOf(change(reject(offered, { rep: 'ben.koch@example.com', reason: 'not_a_fit', note: null, at })));
    expect(write).toMatchObject({ decisions: ['rejected', 'nurture'], reason: 'not_a_fit' });
    expect(write && fieldsFor(write, mapping())).toEqual({ hs_lead_status: 'BAD_TIMING', lifecyclestage: 'other' });
  });

  it('nothing for a re-post of an offer', () => {
    const offered = { ...lead, status: 'offered' as const };
    expect(crmWriteOf(change(offerPosted(offered, { at, claimDueAt: at, channel: 'C1', platform: 'slack' })))).toBeNull();
  });
});

describe('the mapping against the CRM', () => {
  const fields = ['email', 'firstname', 'lastname', 'phone', 'jobtitle', 'company', 'numberofemployees', 'country', 'industry', 'hubspot_owner_id', 'pricing_visits']
    .map((name) => ({ name, options: null }))
    .concat([
      { name: 'lifecyclestage', options: ['lead', 'marketingqualifiedlead', 'other'] as never },
      { name: 'hs_analytics_source', options: ['ORGANIC_SEARCH', 'REFERRALS'] as never },
      { name: 'demo_requested', options: ['true', 'false'] as never },
      { name: 'hs_lead_status', options: ['NEW', 'IN_PROGRESS', 'UNQUALIFIED', 'BAD_TIMING'] as never },
    ]);

  it('fits when every field exists and every value is an option', () => {
    expect(mappingProblems('hubspot', mapping(), fields, [])).toEqual([]);
  });

  it('names a missing field and a value that is no option', () => {
    const m = { ...mapping(), write: { ...mapping().write, contacted: { hs_lead_status: 'CONNECTED', hs_mood: 'happy' } } };
    expect(mappingProblems('hubspot', m, fields, [])).toEqual([
      'crm.hubspot.write.contacted.hs_lead_status: "CONNECTED" is not a value of hs_lead_status (NEW, IN_PROGRESS, UNQUALIFIED, BAD_TIMING)',
      'crm.hubspot.write.contacted.hs_mood: HubSpot has no field "hs_mood"',
    ]);
  });
});
