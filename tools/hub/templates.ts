// The hub's side of templates within the consent's scope (docs/sync.md
// "Templates within the consent's scope"): gates learn each other's seal keys
// from the hub (signed), a gate that enrolled a face shares the template
// sealed to each other gate in its resident's consent, and the hub stores
// those ciphertexts (template_seal) and delivers each to its gate, signed
// afresh at every send, until that gate answers. It holds no key that opens
// one. A withdrawal deletes them (erasure.ts, in the order's transaction).
import {
  decodeShare, encodeDelivery, encodeSealKeys, verifyShare, type ReceivedShare,
} from "../../src/core/sync/template-share";
import { answerDigest, encodeHubAnswer } from "../../src/core/sync/hub-answer";
import { topic } from "../../src/core/sync/topics";
import { bytes, num } from "./db";
import type { HubSenderOptions } from "./sender";
import { nativeVerify } from "./native-ed25519";

/** Answers after which the hub sends again when the gate reconnects (it may hold the resident or a card by then). */
const RETRY_RESULTS = ["not-eligible", "failed"];

export interface TemplateSealState {
  residentId: number;
  gateId: number;
  fromGate: number;
  state: "pending" | string;
  sentAt?: number;
  resultAt?: number;
}

export class HubTemplates {
  readonly #o: HubSenderOptions;

  constructor(options: HubSenderOptions) { this.#o = options; }

  /** The compound's seal keys, signed, to one gate. */
  async sendSealKeys(gateId: number): Promise<void> {
    const [gate] = await this.#o.db.query<{ compound_id: unknown }>("select compound_id from gate where id = $1", [gateId]);
    if (!gate) return;
    const compoundId = num(gate.compound_id);
    const rows = await this.#o.db.query<{ id: unknown; seal_key: unknown }>("select id, seal_key from gate where compound_id = $1 and seal_key is not null order by id", [compoundId]);
    const message = encodeSealKeys({ gateId, issuedAt: this.#o.now(), keyId: this.#o.keyId, keys: rows.map((r) => ({ gateId: num(r.id), key: bytes(r.seal_key) })) }, this.#o.sign);
    await this.#o.publish(topic(compoundId, gateId, "template"), message, { retain: false });
  }

  /** A gate's seal key was recorded: every gate of the compound gets the new directory. */
  async sealKeysChanged(compoundId: number): Promise<void> {
    const gates = await this.#o.db.query<{ id: unknown }>("select id from gate where compound_id = $1 order by id", [compoundId]);
    for (const g of gates) await this.sendSealKeys(num(g.id));
  }

  /** A gate (re)connected: the seal keys, then every delivery it has not answered. */
  async reconnected(gateId: number): Promise<void> {
    await this.sendSealKeys(gateId);
    await this.send(gateId);
  }

  /** Sends the gate every sealed template it has not installed (or refused for good), freshly signed. */
  async send(gateId: number, residentId?: number): Promise<void> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `select compound_id, resident_id, from_gate, scope, granted_at, sealed from template_seal
       where gate_id = $1 and ($2::integer is null or resident_id = $2) and (result is null or result = any($3)) order by received_at`,
      [gateId, residentId ?? null, RETRY_RESULTS]);
    for (const r of rows) {
      const issuedAt = this.#o.now();
      const message = encodeDelivery({
        gateId, residentId: num(r.resident_id), fromGate: num(r.from_gate), scope: num(r.scope), grantedAt: num(r.granted_at),
        issuedAt, keyId: this.#o.keyId, sealed: bytes(r.sealed),
      }, this.#o.sign);
      await this.#o.publish(topic(num(r.compound_id), gateId, "template"), message, { retain: false });
      await this.#o.db.query("update template_seal set sent_at = $3 where gate_id = $1 and resident_id = $2 and compound_id = $4", [gateId, num(r.resident_id), issuedAt, num(r.compound_id)]);
    }
  }

  /**
   * Resends to connected gates what they have not answered for resendMs, and
   * what was never sent of a share that old (a hub that died before sending).
   * A row not yet sent of a younger share is a delivery under way: sending it
   * here too gave the gate the template twice.
   */
  async resendDue(owns: (gateId: number) => boolean): Promise<void> {
    const due = await this.#o.db.query<{ gate_id: unknown }>(
      `select distinct t.gate_id from template_seal t join gate g on g.id = t.gate_id
       where t.result is null and g.online and coalesce(t.sent_at, t.received_at) <= $1`, [this.#o.now() - this.#o.resendMs]);
    for (const r of due) if (owns(num(r.gate_id))) await this.send(num(r.gate_id));
  }

  /** A share or an answer on gate `gateId`'s topic, verified with that gate's key. */
  async receive(compoundId: number, gateId: number, publicKey: Uint8Array, leaf: "share" | "installed", payload: Uint8Array, topicText: string): Promise<void> {
    let received: ReceivedShare;
    try {
      received = decodeShare(payload);
    } catch (error) {
      return this.#o.drop(`malformed: ${(error as Error).message}`, topicText);
    }
    const m = received.message;
    if (m.type !== (leaf === "share" ? "share" : "installed")) return this.#o.drop(`a ${m.type} message on ${leaf}`, topicText);
    if (m.gateId !== gateId) return this.#o.drop(`message for gate ${m.gateId} on gate ${gateId}'s topic`, topicText);
    if (!verifyShare(received, publicKey, nativeVerify)) return this.#o.drop(`${leaf} signature does not verify`, topicText);
    if (m.type === "installed") {
      const marked = await this.#o.db.query(
        `update template_seal set result = $5, result_at = $6 where compound_id = $1 and resident_id = $2 and gate_id = $3 and from_gate = $4 and granted_at = $7 returning gate_id`,
        [compoundId, m.residentId, gateId, m.fromGate, m.result, this.#o.now(), m.grantedAt]);
      if (!marked.length) this.#o.drop("answer for no sealed template held for this gate", topicText);
      return;
    }
    if (m.type !== "share") return;
    const now = this.#o.now();
    const to = await this.#o.db.transaction(async (tx) => {
      // A withdrawal ordered at or after the grant (a share that crossed it on the way) is not undone by it.
      const withdrawn = await tx.query("select 1 from erasure_order where compound_id = $1 and resident_id = $2 and created_at >= $3 limit 1", [compoundId, m.residentId, m.grantedAt]);
      if (withdrawn.length) return "withdrawn";
      const [resident] = await tx.query("select 1 from resident where compound_id = $1 and id = $2", [compoundId, m.residentId]);
      if (!resident) return "unknown resident";
      const gates = new Set((await tx.query<{ id: unknown }>("select id from gate where compound_id = $1 and seal_key is not null", [compoundId])).map((r) => num(r.id)));
      const stored: number[] = [];
      for (const s of m.sealed) {
        if (s.gateId === gateId || !gates.has(s.gateId)) continue;
        await tx.query(
          `insert into template_seal (compound_id, resident_id, gate_id, from_gate, scope, granted_at, sealed, received_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (compound_id, resident_id, gate_id) do update set from_gate = excluded.from_gate, scope = excluded.scope, granted_at = excluded.granted_at,
             sealed = excluded.sealed, received_at = excluded.received_at, sent_at = null, result = null, result_at = null`,
          [compoundId, m.residentId, s.gateId, gateId, m.scope, m.grantedAt, s.sealed, now]);
        stored.push(s.gateId);
      }
      return stored;
    });
    // The gate keeps the share until this answer (a hub killed before its database had it lost it).
    const outcome = to === "withdrawn" ? "withdrawn" : to === "unknown resident" ? "unknown" : "taken";
    const answer = encodeHubAnswer({
      kind: "share", gateId, seq: 0, residentId: m.residentId, outcome, hubSeq: 0, digest: answerDigest(payload), issuedAt: now, keyId: this.#o.keyId,
    }, this.#o.sign);
    await this.#o.publish(topic(compoundId, gateId, "answer"), answer, { retain: false });
    if (typeof to === "string") return this.#o.drop(`share for resident ${m.residentId}: ${to}`, topicText);
    for (const g of to) await this.send(g, m.residentId);
  }

  /** Per addressee: pending (not answered) or the gate's answer. */
  async status(compoundId: number, residentId?: number): Promise<TemplateSealState[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `select resident_id, gate_id, from_gate, result, sent_at, result_at from template_seal
       where compound_id = $1 and ($2::integer is null or resident_id = $2) order by resident_id, gate_id`, [compoundId, residentId ?? null]);
    return rows.map((r) => ({
      residentId: num(r.resident_id), gateId: num(r.gate_id), fromGate: num(r.from_gate), state: (r.result as string | null) ?? "pending",
      ...(r.sent_at != null ? { sentAt: num(r.sent_at) } : {}), ...(r.result_at != null ? { resultAt: num(r.result_at) } : {}),
    }));
  }
}
