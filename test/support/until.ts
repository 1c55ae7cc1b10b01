// Waits in real time for something another process or socket brings about
// (a hub, a browser, simulated gates in realtime): Node only.

/** Polls `done` every `stepMs` until it holds; throws naming `what` after `ms`. */
export async function until(what: string, done: () => boolean | Promise<boolean>, ms = 60_000, stepMs = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
