// QoS 1 messages this gate has sent and the broker has not yet PUBACKed. A
// fixed number of slots: when they are all taken, publish is refused, never
// queued without bound. Each slot keeps the encoded PUBLISH so a resend only
// sets the DUP bit in place.
const DUP = 0x08;

interface Slot {
  packetId: number;
  bytes: Uint8Array;
  /** When it was last written; -1 if it has never gone out. */
  sentAt: number;
  /** To be written (again) as soon as the link has room for it. */
  due: boolean;
}

/** Whether the link can take `bytes` more now; without it, it always can. */
export type Fits = (bytes: number) => boolean;

export class OutboundWindow {
  readonly capacity: number;
  #slots: Slot[] = [];
  #nextId = 1;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number { return this.#slots.length; }
  get full(): boolean { return this.#slots.length >= this.capacity; }

  /** A packet id (1-65535) no slot holds and `taken` does not claim. */
  allocateId(taken: (id: number) => boolean): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 0xffff ? 1 : id + 1;
      if (!this.#slots.some((s) => s.packetId === id) && !taken(id)) return id;
    }
  }

  add(packetId: number, bytes: Uint8Array): void {
    this.#slots.push({ packetId, bytes, sentAt: -1, due: true });
  }

  /** Drops the slot the broker acknowledged; false if no slot had that id (a late duplicate PUBACK). */
  acknowledge(packetId: number): boolean {
    const i = this.#slots.findIndex((s) => s.packetId === packetId);
    if (i < 0) return false;
    this.#slots.splice(i, 1);
    return true;
  }

  /**
   * Every slot is due again (after a CONNACK), oldest first; ones sent before
   * go with DUP (§4.4). Written at once, sixteen inventory parts of 24 KB went
   * into a 33 KB link buffer, which closed the link, and every reconnection
   * did the same: the slots go as the link has room (writeDue).
   */
  sendAll(now: number, write: (bytes: Uint8Array) => void, fits?: Fits): void {
    for (const s of this.#slots) s.due = true;
    this.writeDue(now, write, fits);
  }

  /** Writes the due slots, oldest first, while the link has room; the rest wait their turn, in order. */
  writeDue(now: number, write: (bytes: Uint8Array) => void, fits?: Fits): void {
    // Indexed, not for-of: this runs on every tick and must not allocate an iterator.
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (!s.due) continue;
      if (fits && !fits(s.bytes.length)) return;
      this.#send(s, now, write);
    }
  }

  /** Each slot unacknowledged for `retryMs` is due again (with DUP), then the due ones are written. */
  resendOlderThan(now: number, retryMs: number, write: (bytes: Uint8Array) => void, fits?: Fits): void {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (!s.due && s.sentAt >= 0 && now - s.sentAt >= retryMs) s.due = true;
    }
    this.writeDue(now, write, fits);
  }

  #send(s: Slot, now: number, write: (bytes: Uint8Array) => void): void {
    if (s.sentAt >= 0) s.bytes[0] |= DUP;
    s.sentAt = now;
    s.due = false;
    write(s.bytes);
  }
}
