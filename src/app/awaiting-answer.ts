// Messages to the hub that the gate keeps until the hub answers them (a
// withdrawal notice, a PIN report, a template share, a signed audit head), not only
// until the broker has them (docs/sync.md "Until the hub answers"): the broker
// counts a message delivered once a hub process's client holds it, so a hub
// killed before its database stored it loses it. Each is sent again at every
// connection and, while connected and unanswered, after RESEND_FIRST_MS,
// twice as long each time up to RESEND_MAX_MS. A repeat is harmless: the hub
// takes a notice once by its id, a PIN report once by its seq, a share again
// as the same ciphertexts, and witnesses a head again.
//
// The outbox (fleet-link.ts) carries them; this only says which are due.
export const RESEND_FIRST_MS = 30_000;
export const RESEND_MAX_MS = 15 * 60_000;

interface Awaited {
  leaf: "withdrawn" | "pin" | "share" | "head";
  payload: Uint8Array;
  /** Told the hub's answer (its outcome). */
  onAnswer?: (outcome: string) => void;
  /** In the outbox or in the client's window: not due again until the broker has it. */
  queued: boolean;
  /** When it is due again (monotonic ms), once the broker has it. */
  dueAt: number;
  wait: number;
}

export class AwaitingAnswer {
  readonly #items = new Map<string, Awaited>();

  get size(): number { return this.#items.size; }

  /** A message to keep until answered; one under the same key (an older report of the resident) is replaced. */
  add(key: string, leaf: Awaited["leaf"], payload: Uint8Array, onAnswer?: (outcome: string) => void): void {
    this.#items.set(key, { leaf, payload, queued: false, dueAt: -Infinity, wait: RESEND_FIRST_MS, ...(onAnswer ? { onAnswer } : {}) });
  }

  has(key: string): boolean { return this.#items.has(key); }

  payloadOf(key: string): Uint8Array | undefined { return this.#items.get(key)?.payload; }

  /** The hub answered (`outcome`), or the message was replaced or is moot (none): nothing more to send. */
  answered(key: string, outcome?: string): void {
    const item = this.#items.get(key);
    this.#items.delete(key);
    if (outcome !== undefined) item?.onAnswer?.(outcome);
  }

  /** The broker acknowledged `payload` (under `key`), or the client refused it: wait until the next resend. */
  sent(key: string, payload: Uint8Array, now: number): void {
    const item = this.#items.get(key);
    if (!item || item.payload !== payload) return;
    item.queued = false;
    item.dueAt = now + item.wait;
    item.wait = Math.min(item.wait * 2, RESEND_MAX_MS);
  }

  /** A new connection: everything not already on its way is due now, and the backoff starts over. */
  connected(): void {
    for (const item of this.#items.values()) {
      item.wait = RESEND_FIRST_MS;
      if (!item.queued) item.dueAt = -Infinity;
    }
  }

  /** What is due to be queued now, marked queued. */
  due(now: number): { key: string; leaf: Awaited["leaf"]; payload: Uint8Array }[] {
    const out: { key: string; leaf: Awaited["leaf"]; payload: Uint8Array }[] = [];
    for (const [key, item] of this.#items) {
      if (item.queued || now < item.dueAt) continue;
      item.queued = true;
      out.push({ key, leaf: item.leaf, payload: item.payload });
    }
    return out;
  }
}
