// Waiting for what a test expects to happen, with a deadline and a name for the failure.

/** Asks `find` until it gives something (not undefined), for at most `ms`. */
export async function waitFor<T>(what: string, find: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
