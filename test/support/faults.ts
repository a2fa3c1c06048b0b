// The seeded random fault mode both fakes share: one draw per eligible call, a fault by its rate.
export interface FaultRates {
  500?: number;
  429?: number;
  lost?: number;
  slow?: number;
}

/** The fault for one draw `u` in [0, 1): each kind takes its rate's slice, in this order. */
export function faultFor<F>(u: number, rates: FaultRates, faults: { 500: F; 429: F; lost: F; slow: F }): F | undefined {
  let edge = 0;
  for (const kind of [500, 429, 'lost', 'slow'] as const) {
    edge += rates[kind] ?? 0;
    if (u < edge) return faults[kind];
  }
  return undefined;
}
