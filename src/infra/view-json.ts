// Views are stored as JSON (outbox messages, sandbox messages, Teams cards); JSON turns
// { time: Date } into { time: string }, so reading one back turns it into a Date again.

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.time === 'string') return { time: new Date(o.time) };
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

/** A stored view (or anything holding views, like an outbox message) as it was before storing. */
export const reviveView = <T>(json: unknown): T => revive(json) as T;
