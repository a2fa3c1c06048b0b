// Rejection reasons and what each means for the lead.

export const REJECT_REASONS = ['not_a_fit', 'not_sales_ready', 'duplicate', 'bad_contact_data', 'wrong_territory', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Not ready or not a fit goes back to marketing for nurturing: never to the bin (docs/domain.md). */
export function recyclesToNurture(reason: RejectReason): boolean {
  return reason === 'not_a_fit' || reason === 'not_sales_ready';
}
