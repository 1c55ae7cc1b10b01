// The hub's side of fleet erasure (docs/sync.md "Erasure"): a withdrawal of
// consent, at the office or at a gate, becomes one signed order per gate of
// the compound, resent until that gate's signed receipt comes back. Every
// fact is in the database (erasure_order, erasure), so a hub restarted in the
// middle of a fan-out finishes it: pending rows are sent again when the gate
// reconnects or, for a connected gate, once resendMs has passed.
import { randomBytes } from "node:crypto";
import {
  ORDER_ID_BYTES, decodeErasure, encodeEraseOrder, verifyErasure, type GateErasure, type ReceivedErasure,
} from "../../src/core/sync/erasure";
import { bytes, num, type Db } from "./db";
import { answerDigest, encodeHubAnswer } from "../../src/core/sync/hub-answer";
import { topic } from "../../src/core/sync/topics";
import type { HubSenderOptions } from "./sender";
import { nativeVerify } from "./native-ed25519";

/**
 * How long a withdrawal keeps the hub's other database work waiting (PGlite)
 * for its connected gates' receipts: the 5 s the fleet promises for an
 * erasure. Under the gates' inventories, receipts that took turns with that
 * work took 18 s (the fleet bench).
 */
const HOLD_MS = 5_000;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Gates sent their orders at once (a fan-out, a resend). */
const FAN_OUT = 16;

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure once all have settled. */
export async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try { await fn(item); } catch (error) { failures.push(error); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length) throw failures[0];
}

export type ErasureOrigin = { kind: "office" } | { kind: "gate"; gateId: number };

/** A gate's "withdrawn here" notice, verified: what the hub stores of it, and its digest for the answer. */
interface Notice { message: GateErasure; signature: Uint8Array; digest: Uint8Array }

export interface ErasureState {
  orderId: string;
  residentId: number;
  gateId: number;
  state: "pending" | "done";
  origin: ErasureOrigin["kind"];
  /** From the gate's signed receipt: whether it held a template, its time, when the hub took it. */
  held?: boolean;
  gateTime?: number;
  doneAt?: number;
}

export class HubErasures {
  readonly #o: HubSenderOptions;
  /** Erasure goes before the fleet's bulk work wherever statements queue. */
  readonly #db: Db;
  /** Withdrawals under way in this process: the connected gates each still waits for, and its hold's release. */
  readonly #holding = new Map<string, { release: () => void; waiting: Set<number> }>();

  constructor(options: HubSenderOptions) { this.#o = options; this.#db = options.db.urgent; }

  /**
   * Orders every gate of the compound to erase the resident's template. A
   * withdrawal at a gate passes its notice: that gate is done already (its
   * notice is its receipt) and the notice id is the order id, so the same
   * notice twice fans out once. That gate is answered (hub-answer.ts, kind
   * "notice") at every copy of the notice once the fan-out is in the database:
   * it keeps the notice until then (fleet-link.ts), since a hub process killed
   * between the broker's delivery and the database lost it. Returns the order id.
   */
  async withdraw(compoundId: number, residentId: number, origin: ErasureOrigin, notice?: Notice): Promise<Uint8Array> {
    if (!Number.isInteger(residentId) || residentId < 1 || residentId > 0xffffff) throw new Error(`Resident id ${residentId} is out of range.`);
    const orderId = notice ? notice.message.orderId : new Uint8Array(randomBytes(ORDER_ID_BYTES));
    const now = this.#o.now();
    const key = hex(orderId), hold = this.#o.db.hold(HOLD_MS);
    // The hold bounds itself on PGlite; this bound is for the entry, which PostgreSQL (no hold) also keeps.
    const expiry = setTimeout(() => release(), HOLD_MS);
    expiry.unref?.();
    const release = () => {
      clearTimeout(expiry);
      hold();
      if (this.#holding.get(key)?.release === release) this.#holding.delete(key);
    };
    try {
      await this.#fanOut(compoundId, residentId, orderId, origin, now, notice, (online) => {
        if (online.length) this.#holding.set(key, { release, waiting: new Set(online) });
        else release();
      });
    } catch (error) {
      release();
      throw error;
    }
    return orderId;
  }

  /** The order's rows, then its sends; `waitFor` is told the connected gates before any order leaves. */
  async #fanOut(compoundId: number, residentId: number, orderId: Uint8Array, origin: ErasureOrigin, now: number,
    notice: Notice | undefined, waitFor: (online: number[]) => void): Promise<void> {
    // A handful of statements whatever the number of gates: one per gate made a withdrawal at 50
    // gates some 250 statements, each waiting its turn behind the fleet's other work.
    const { gates, online, answer } = await this.#db.transaction(async (tx) => {
      const none = { gates: [] as number[], online: [] as number[], answer: false };
      const created = await tx.query("insert into erasure_order (order_id, compound_id, resident_id, origin, origin_gate, created_at) values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning order_id",
        [orderId, compoundId, residentId, origin.kind, origin.kind === "gate" ? origin.gateId : null, now]);
      if (!created.length) {
        // A notice again: its gate did not see the answer (this hub's, or a killed one's). Only that.
        if (!notice) return none;
        const [order] = await tx.query<{ origin_gate: unknown; resident_id: unknown }>("select origin_gate, resident_id from erasure_order where order_id = $1", [orderId]);
        const same = order && num(order.origin_gate ?? 0) === notice.message.gateId && num(order.resident_id) === residentId;
        return { ...none, answer: !!same };
      }
      // The templates sealed to other gates go with the consent (the gates erase theirs on the order).
      await tx.query("delete from template_seal where compound_id = $1 and resident_id = $2", [compoundId, residentId]);
      const ids = (await tx.query<{ gate_id: unknown }>("insert into erasure (order_id, gate_id) select $1, id from gate where compound_id = $2 returning gate_id", [orderId, compoundId]))
        .map((r) => num(r.gate_id)).sort((a, b) => a - b);
      const connected = new Set((await tx.query<{ id: unknown }>("select id from gate where compound_id = $1 and online", [compoundId])).map((r) => num(r.id)));
      let to = ids;
      if (notice) {
        await tx.query("update erasure set state = 'done', held = $3, gate_time = $4, receipt_signature = $5, done_at = $6 where order_id = $1 and gate_id = $2",
          [orderId, notice.message.gateId, notice.message.held, notice.message.time, notice.signature, now]);
        to = ids.filter((id) => id !== notice.message.gateId);
      }
      return { gates: to, online: to.filter((id) => connected.has(id)), answer: !!notice };
    });
    waitFor(online);
    await this.#sendOrder(compoundId, residentId, orderId, gates);
    if (notice && answer) {
      const message = encodeHubAnswer({
        kind: "notice", gateId: notice.message.gateId, seq: 0, residentId, outcome: "taken", hubSeq: 0, digest: notice.digest, issuedAt: this.#o.now(), keyId: this.#o.keyId,
      }, this.#o.sign);
      await this.#o.publish(topic(compoundId, notice.message.gateId, "answer"), message, { retain: false });
    }
  }

  /**
   * One order to `gates`, freshly signed for each, a bounded number at a time
   * (one after the other, the last of 50 gates waited for 49 signatures and
   * broker round trips), then marked sent in one statement.
   */
  async #sendOrder(compoundId: number, residentId: number, orderId: Uint8Array, gates: readonly number[]): Promise<void> {
    const issuedAt = this.#o.now(), sent: number[] = [];
    try {
      await eachBounded(gates, FAN_OUT, async (gateId) => {
        const order = encodeEraseOrder({ gateId, residentId, orderId, issuedAt, keyId: this.#o.keyId }, this.#o.sign);
        await this.#o.publish(topic(compoundId, gateId, "erase"), order, { retain: false });
        sent.push(gateId);
      });
    } finally {
      if (sent.length) await this.#db.query("update erasure set sent_at = $2 where order_id = $1 and gate_id = any($3::bigint[])", [orderId, issuedAt, sent]);
    }
  }

  /** Sends the gate every order it has not receipted, freshly signed (so a week-old withdrawal is not stale). */
  async send(gateId: number): Promise<void> {
    const rows = await this.#db.query<{ order_id: unknown; compound_id: unknown; resident_id: unknown }>(
      `select o.order_id, o.compound_id, o.resident_id from erasure e join erasure_order o on o.order_id = e.order_id
       where e.gate_id = $1 and e.state = 'pending' order by o.created_at`, [gateId]);
    for (const r of rows) await this.#sendOrder(num(r.compound_id), num(r.resident_id), bytes(r.order_id), [gateId]);
  }

  /**
   * Resends to connected gates the orders unreceipted for resendMs, and those
   * never sent whose order is that old (a hub that died mid fan-out). A row
   * not yet sent of a younger order is a fan-out under way: sending it here
   * too gave gates the order twice, and their second receipt was dropped.
   */
  async resendDue(owns: (gateId: number) => boolean): Promise<void> {
    const due = await this.#db.query<{ gate_id: unknown }>(
      `select distinct e.gate_id from erasure e join gate g on g.id = e.gate_id join erasure_order o on o.order_id = e.order_id
       where e.state = 'pending' and g.online and coalesce(e.sent_at, o.created_at) <= $1`, [this.#o.now() - this.#o.resendMs]);
    await eachBounded(due.map((r) => num(r.gate_id)).filter(owns), FAN_OUT, (gateId) => this.send(gateId));
  }

  /**
   * A receipt or a "withdrawn here" notice on gate `gateId`'s topic, verified
   * with that gate's key. A receipt marks only its own gate's pending row of
   * an order for the same resident.
   */
  async receive(compoundId: number, gateId: number, publicKey: Uint8Array, leaf: "erased" | "withdrawn", payload: Uint8Array, topicText: string): Promise<void> {
    let received: ReceivedErasure;
    try {
      received = decodeErasure(payload);
    } catch (error) {
      return this.#o.drop(`malformed: ${(error as Error).message}`, topicText);
    }
    const m = received.message;
    const expected = leaf === "erased" ? "erase-receipt" : "withdrawn";
    if (m.type !== expected) return this.#o.drop(`a ${m.type} message on ${leaf}`, topicText);
    if (m.gateId !== gateId) return this.#o.drop(`message for gate ${m.gateId} on gate ${gateId}'s topic`, topicText);
    if (!verifyErasure(received, publicKey, nativeVerify)) return this.#o.drop(`${leaf} signature does not verify`, topicText);
    if (m.type === "withdrawn") {
      if (m.residentId < 1 || m.residentId > 0xffffff) return this.#o.drop(`withdrawal for resident ${m.residentId}, out of range`, topicText);
      await this.withdraw(compoundId, m.residentId, { kind: "gate", gateId }, { message: m, signature: received.signed.signature, digest: answerDigest(payload) });
      return;
    }
    const marked = await this.#db.query(
      `update erasure e set state = 'done', held = $3, gate_time = $4, receipt_signature = $5, done_at = $6
       from erasure_order o where o.order_id = e.order_id and e.order_id = $1 and e.gate_id = $2 and e.state = 'pending' and o.resident_id = $7
       returning e.gate_id`,
      [m.orderId, gateId, m.held, m.time, received.signed.signature, this.#o.now(), m.residentId]);
    if (marked.length) {
      const holding = this.#holding.get(hex(m.orderId));
      holding?.waiting.delete(gateId);
      if (holding && !holding.waiting.size) holding.release();
      return;
    }
    // The gate answering an order resent before its first receipt came: nothing to report.
    const [duplicate] = await this.#db.query(
      "select 1 from erasure e join erasure_order o on o.order_id = e.order_id where e.order_id = $1 and e.gate_id = $2 and e.state = 'done' and o.resident_id = $3",
      [m.orderId, gateId, m.residentId]);
    if (!duplicate) this.#o.drop("receipt for no pending order of this gate", topicText);
  }

  /** Per gate and order: done (with the receipt's facts) or pending. */
  async status(compoundId: number, residentId?: number): Promise<ErasureState[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `select o.order_id, o.resident_id, o.origin, e.gate_id, e.state, e.held, e.gate_time, e.done_at
       from erasure e join erasure_order o on o.order_id = e.order_id
       where o.compound_id = $1 and ($2::integer is null or o.resident_id = $2)
       order by o.created_at, o.order_id, e.gate_id`, [compoundId, residentId ?? null]);
    return rows.map((r) => {
      const s: ErasureState = {
        orderId: hex(bytes(r.order_id)), residentId: num(r.resident_id), gateId: num(r.gate_id),
        state: r.state as ErasureState["state"], origin: r.origin as ErasureOrigin["kind"],
      };
      if (s.state === "done") { s.held = r.held === true; s.gateTime = num(r.gate_time); s.doneAt = num(r.done_at); }
      return s;
    });
  }
}
