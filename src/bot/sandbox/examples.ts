// Ready-made leads for the sandbox's "new lead" buttons: one of each kind a team sees. Their
// labels are in the texts (sandbox.examples).
import type { Texts } from '../../domain/texts.ts';

export interface Example {
  id: keyof Texts['sandbox']['examples'];
  lead: (seq: number) => Record<string, unknown>;
}

export const EXAMPLES: Example[] = [
  {
    id: 'demo',
    lead: (seq) => ({
      externalId: `sandbox-demo-${seq}`, sourceSystem: 'sandbox', source: 'inbound', campaign: 'webinar-predictive-maintenance',
      owner: 'mia.schulz@example.com',
      contact: { email: `s.hofmann+${seq}@example.com`, firstName: 'Stefan', lastName: 'Hofmann', phone: '+49 89 4711 0815', title: 'Leiter Instandhaltung' },
      company: { name: 'Isar Antriebstechnik GmbH', employees: 500, country: 'DE', industry: 'manufacturing' },
      signals: ['webinar_attended', 'pricing_page', 'demo_request'],
    }),
  },
  {
    id: 'ebook',
    lead: (seq) => ({
      externalId: `sandbox-ebook-${seq}`, sourceSystem: 'sandbox', source: 'marketing_automation', campaign: 'ebook-industrie-4-0',
      owner: 'mia.schulz@example.com',
      contact: { email: `lukas.student+${seq}@example.com`, firstName: 'Lukas', lastName: 'Brandt', title: 'Student' },
      company: { name: 'TU München', employees: 11000, country: 'DE', industry: 'education' },
      signals: ['ebook_download'],
    }),
  },
  {
    id: 'referral',
    lead: (seq) => ({
      externalId: `sandbox-referral-${seq}`, sourceSystem: 'sandbox', source: 'referral', campaign: 'kundenempfehlung',
      owner: 'mia.schulz@example.com',
      contact: { email: `c.gruber+${seq}@example.com`, firstName: 'Claudia', lastName: 'Gruber', phone: '+43 1 234 5678', title: 'Geschäftsführerin' },
      company: { name: 'Gruber Verpackungen GmbH', employees: 180, country: 'AT', industry: 'packaging' },
      signals: ['contact_form', 'sales_call_request'],
    }),
  },
];
