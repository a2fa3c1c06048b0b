import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Agreement, parseAgreement } from '../../src/domain/agreement.ts';
import { qualify } from '../../src/domain/qualification.ts';
import type { Reason } from '../../src/domain/reasons.ts';
import { explain } from '../../src/domain/texts.ts';

const de = parseAgreement(parse(readFileSync('leadrelay.example.yml', 'utf8')));
const en: Agreement = { ...de, locale: 'en', labels: { industries: { manufacturing: 'mechanical engineering' }, signals: { demo_request: 'demo request' }, sources: {} } };
const munich = { employees: 480, country: 'DE', industry: 'manufacturing' };

const both = (reason: Reason) => [explain(reason, de), explain(reason, en)];

describe('reasons in words', () => {
  it('writes the fit with country names and industry labels in the agreement language', () => {
    const [fit] = qualify(munich, ['demo_request'], de.definitions).reasons;
    expect(explain(fit as Reason, de)).toBe(
      'passt zum Zielkundenprofil: mindestens 50 Mitarbeitende (480); Land: Deutschland, Österreich oder Schweiz (Deutschland); Branche: nicht Bildung oder Öffentliche Verwaltung (Maschinenbau)',
    );
    expect(explain(fit as Reason, en)).toBe(
      'fits the ideal customer profile: at least 50 employees (480); country: Germany, Austria, or Switzerland (Germany); industry: not education or public_administration (mechanical engineering)',
    );
  });

  it('writes readiness with signal labels, the grade with its label, and the nurture verdict', () => {
    const q = qualify(munich, ['pricing_page', 'demo_request'], de.definitions);
    expect(explain(q.reasons[1] as Reason, de)).toBe('Kaufbereitschaft 70 Punkte (Preisseite besucht +20, Demo angefragt +50; MQL ab 20, SQL ab 50)');
    expect(explain(q.reasons[1] as Reason, en)).toBe('readiness 70 points (pricing_page +20, demo request +50; MQL from 20, SQL from 50)');
    expect(explain(q.reasons[2] as Reason, de)).toBe('SQL, Einstufung A (hoch qualifiziert – hat ein Vertriebsgespräch angefragt)');
    expect(both({ code: 'nurture', why: 'not_ready' })).toEqual(['bleibt im Nurturing: noch nicht kaufbereit', 'kept in nurturing: not ready yet']);
  });

  it('names reps by name from the agreement, numbers in the language, and falls back to the e-mail', () => {
    expect(both({ code: 'rep.picked', rep: 'anna.weber@example.com', why: 'behind', credited: 0.7, assigned: 0, weight: 2 })).toEqual([
      'gewählt: Anna Weber, am weitesten hinter dem fairen Anteil (0,7 gutgeschrieben, 0 zugewiesen, Gewicht 2)',
      'picked Anna Weber: furthest behind their fair share (0.7 credited, 0 assigned, weight 2)',
    ]);
    expect(both({ code: 'rep.skipped', rep: 'someone@example.com', why: 'away', until: '2026-12-01' })).toEqual([
      'übersprungen: someone@example.com, abwesend bis 01.12.2026',
      'skipped someone@example.com: away until Dec 1, 2026',
    ]);
  });

  it('writes queue choices with the queue name, team and filter checks', () => {
    expect(both({ code: 'queue.owner', source: 'inbound', team: 'inside_sales' })).toEqual([
      'Quelle „Inbound“ gehört zu Inside Sales',
      'source "inbound" is owned by inside sales',
    ]);
    expect(both({ code: 'queue.skipped', queue: 'inside-dach-nord', checks: [{ code: 'filter.country', allowed: ['DE'], value: 'AT', ok: false }] })).toEqual([
      'Inside Sales DACH Nord übersprungen: Land Österreich passt nicht (nur Deutschland)',
      'Inside Sales DACH Nord skipped: country Austria does not fit (only Germany)',
    ]);
  });

  it('writes why someone may not arbitrate', () => {
    expect(both({ code: 'arbiter.head', person: 'jonas.wolf@example.com', head: 'sales' })).toEqual([
      'Jonas Wolf leitet den Vertrieb und ist nicht neutral',
      'Jonas Wolf is head of sales and not neutral',
    ]);
  });

  it('shows a sentence stored by an earlier version as it is', () => {
    expect(both({ code: 'text', text: 'fits (at least 50 employees: 480)' })).toEqual(['fits (at least 50 employees: 480)', 'fits (at least 50 employees: 480)']);
  });

  it('shows a code without a label, and a country that is no region code, as they are', () => {
    const fit: Reason = { code: 'fit', fits: false, checks: [{ code: 'fit.in', field: 'country', values: ['DE'], value: 'Bavaria', ok: false }] };
    expect(explain(fit, de)).toBe('passt nicht zum Zielkundenprofil: Land: Deutschland (Bavaria)');
    expect(explain({ code: 'queue.owner', source: 'carrier_pigeon', team: 'field_sales' }, de)).toBe('Quelle „carrier_pigeon“ gehört zu Field Sales');
  });
});

describe('agreement labels', () => {
  it('refuses a label for a signal or source the agreement does not have, naming the path', () => {
    const data = parse(readFileSync('leadrelay.example.yml', 'utf8'));
    data.labels.signals.carrier_pigeon = 'Brieftaube';
    expect(() => parseAgreement(data)).toThrow(/labels\.signals\.carrier_pigeon: "carrier_pigeon" is not one of the agreement's signals/);
  });
});
