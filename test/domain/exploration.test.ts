// Exploration: a share of the leads just below the MQL threshold is offered anyway, chosen by the
// lead's id, marked in its explanation and on the offer card. Off by default.
import { describe, expect, it } from 'vitest';
import { drawn, explore, isExplored, JUST_BELOW } from '../../src/domain/exploration.ts';
import { qualify } from '../../src/domain/qualification.ts';
import { explain, texts } from '../../src/domain/texts.ts';
import { plain } from '../../src/domain/view.ts';
import { offerView } from '../../src/domain/views.ts';
import { intakeLeads } from '../../src/handlers/intake-leads.ts';
import { exampleAgreement, harness, leadInput } from '../support/handler-deps.ts';

const exploring = (percent: string) => exampleAgreement((raw) => { raw.learning = { explore: percent }; });
const FIT = { employees: 250, country: 'DE', industry: 'manufacturing' };

describe('exploration', () => {
  it('is off by default: the example agreement explores nothing', () => {
    const agreement = exampleAgreement();
    expect(agreement.learning).toBeUndefined();
    const q = qualify(FIT, ['webinar_attended'], agreement.definitions);
    expect(explore(q, 'any', agreement.definitions, agreement.learning)).toBe(q);
  });

  it('draws about the configured share, by id alone: the same id always decides the same', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `webform\u0000lead-${i}`);
    const share = ids.filter((id) => drawn(id, 5)).length / ids.length;
    expect(share).toBeGreaterThan(0.045);
    expect(share).toBeLessThan(0.055);
    expect(ids.map((id) => drawn(id, 5))).toEqual(ids.map((id) => drawn(id, 5)));
    expect(ids.filter((id) => drawn(id, 0))).toEqual([]);
  });

  it('explores only fitting leads within 10 points below the threshold', () => {
    const agreement = exploring('20%');
    const id = Array.from({ length: 100 }, (_, i) => `x${i}`).find((x) => drawn(x, 20))!;
    const run = (signals: string[], company = FIT) => explore(qualify(company, signals, agreement.definitions), id, agreement.definitions, agreement.learning);
    expect(JUST_BELOW).toBe(10);
    // webinar 10 points: 10 below the MQL threshold of 20 → explored; ebook 5: 15 below → not.
    expect(run(['webinar_attended'])).toMatchObject({ qualified: true, stage: 'MQL', grade: 'B', score: 10 });
    expect(run(['ebook_download']).qualified).toBe(false);
    expect(run(['webinar_attended'], { ...FIT, employees: 10 }).qualified).toBe(false);
    // Already an MQL: unchanged, not marked.
    const mql = run(['pricing_page']);
    expect(isExplored(mql.reasons)).toBe(false);
  });

  it('marks the lead in its explanation, instead of the nurture reason', () => {
    const agreement = exploring('20%');
    const id = Array.from({ length: 100 }, (_, i) => `x${i}`).find((x) => drawn(x, 20))!;
    const q = explore(qualify(FIT, ['webinar_attended'], agreement.definitions), id, agreement.definitions, agreement.learning);
    expect(q.reasons.map((r) => r.code)).toEqual(['fit', 'readiness', 'explore', 'grade']);
    expect(explain(q.reasons[2]!, { ...agreement, locale: 'en' })).toBe('offered to explore: 10 points, just below the MQL threshold 20 (20% of such leads are offered so their outcomes show whether the threshold is right)');
    expect(explain(q.reasons[2]!, { ...agreement, locale: 'de' })).toContain('zur Erkundung angeboten: 10 Punkte, knapp unter der MQL-Schwelle 20');
  });

  it('takes "5%" up to "20%" in the agreement, and no more', () => {
    expect(exploring('5%').learning?.explore).toBe(5);
    expect(exploring('0%').learning?.explore).toBe(0);
    expect(() => exploring('30%')).toThrow(/explore at most 20%/);
    expect(() => exploring('five')).toThrow(/percentage/);
  });

  it('at intake, offers a drawn lead just below the bar, marked on the offer card; a retry decides the same', async () => {
    const agreement = exploring('20%');
    const h = harness({ agreement });
    const inputs = Array.from({ length: 40 }, (_, i) => leadInput({ externalId: `explore-${i}`, signals: ['webinar_attended'] }));
    const outcomes = await intakeLeads(h.deps, inputs);
    const picked = outcomes.filter((o) => o.lead.status === 'qualified');
    const expected = inputs.filter((i) => drawn(`${i.sourceSystem}\u0000${i.externalId}`, 20));
    expect(expected.length).toBeGreaterThan(0);
    expect(picked.map((o) => o.lead.externalId)).toEqual(expected.map((i) => i.externalId));
    expect(outcomes.filter((o) => o.lead.status === 'nurture')).toHaveLength(40 - expected.length);
    const lead = picked[0]!.lead;
    expect(lead).toMatchObject({ stage: 'MQL', grade: 'B', score: 10 });
    expect(lead.queue).not.toBeNull();
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toHaveLength(1);
    for (const [locale, line] of [['de', 'Erkundung: Dieser Lead liegt knapp unter der MQL-Schwelle'], ['en', 'Exploration: this lead is just below the MQL threshold']] as const) {
      const card = offerView({ ...lead, status: 'offered' }, { ...agreement, locale }, texts(locale), { kind: 'open', origin: 'new' });
      expect(card.blocks.some((b) => b.type === 'context' && plain(b.text).startsWith(line))).toBe(true);
    }
    const normal = (await intakeLeads(h.deps, [leadInput({ signals: ['pricing_page'] })]))[0]!.lead;
    const card = offerView({ ...normal, status: 'offered' }, agreement, texts('de'), { kind: 'open', origin: 'new' });
    expect(card.blocks.some((b) => b.type === 'context' && plain(b.text).startsWith('Erkundung'))).toBe(false);
    // The same leads again: stored once, decided the same.
    const again = await intakeLeads(h.deps, inputs);
    expect(again.every((o) => !o.created)).toBe(true);
    expect(again.filter((o) => o.lead.status === 'qualified').map((o) => o.lead.id)).toEqual(picked.map((o) => o.lead.id));
  });
});
