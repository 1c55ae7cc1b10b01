// PINs set at a gate under the compound PIN key (docs/sync.md "PINs across
// gates"): the gate reports the verifier (src/core/sync/pin-report.ts, signed
// by the gate key), the hub checks the signature, that the gate holds that
// resident, and that the report is newer than the last one taken from the gate
// (seq) and than the PIN the hub holds (the gate's time, when it had one),
// then stores the verifier on the resident and reconciles: every gate holding
// the resident gets a set-compound-pin change in its next version. The hub
// stores the salt, hash and key id only; it holds no key, so it can neither
// test a PIN guess nor make a verifier that opens.
//
// Every verified report gets a signed answer (src/core/sync/hub-answer.ts),
// taken or why not, sent after the database has the outcome: the gate keeps
// the report until then, so a hub killed between the broker's delivery and
// the database loses nothing (the gate sends it again). The last report
// answered per gate and resident is kept (pin_report) with its outcome: a copy
// of it gets the same answer, and is not written again.
import { encodeHubAnswer, answerDigest, type AnswerOutcome } from "../../src/core/sync/hub-answer";
import { decodePinReport, verifyPinReport, type PinReport } from "../../src/core/sync/pin-report";
import { topic } from "../../src/core/sync/topics";
import { num, type Sql } from "./db";
import { nativeVerify } from "./native-ed25519";
import type { HubSenderOptions } from "./sender";

export interface HubPinsOptions extends Omit<HubSenderOptions, "resendMs"> {
  reconcile: (tx: Sql, compoundId: number, ids: number[]) => Promise<number[]>;
  pump: (gateId: number) => Promise<void>;
}

type Outcome = { answer: Exclude<AnswerOutcome, "taken">; why: string; hubSeq: number } | { answer: "taken"; gates: number[]; hubSeq: number }
  | { answer: "again"; outcome: AnswerOutcome; why: string; hubSeq: number };

export class HubPins {
  constructor(private readonly o: HubPinsOptions) {}

  /** One report from gate `gateId` of `compoundId` (its public key from the gate row). */
  async receive(compoundId: number, gateId: number, publicKey: Uint8Array, payload: Uint8Array, topicText: string): Promise<void> {
    let received;
    try {
      received = decodePinReport(payload);
    } catch (error) {
      return this.o.drop(`malformed: ${(error as Error).message}`, topicText);
    }
    const r = received.report;
    if (r.gateId !== gateId) return this.o.drop(`PIN report of gate ${r.gateId} on gate ${gateId}'s topic`, topicText);
    if (!verifyPinReport(received, publicKey, nativeVerify)) return this.o.drop("PIN report signature does not verify", topicText);
    const digest = answerDigest(payload);
    const outcome = await this.o.db.transaction(async (tx): Promise<Outcome> => {
      const [gate] = await tx.query<{ pin_seq: unknown }>("select pin_seq from gate where id = $1 for update", [gateId]);
      const last = num(gate.pin_seq);
      if (r.seq <= last) {
        // The very report answered before (its answer lost): the same answer, nothing written again.
        const [before] = await tx.query<{ outcome: unknown }>("select outcome from pin_report where gate_id = $1 and resident_id = $2 and digest = $3", [gateId, r.residentId, digest]);
        if (before) return { answer: "again", outcome: before.outcome as AnswerOutcome, why: `PIN report ${r.seq} answered before (${String(before.outcome)})`, hubSeq: last };
        return { answer: "replayed", why: `PIN report ${r.seq} replayed or older than ${last}`, hubSeq: last };
      }
      // Spent before the checks below and kept when they drop the report: a report refused for
      // the hub's state (a resident the gate did not hold yet) must not take effect when replayed later.
      await tx.query("update gate set pin_seq = $2 where id = $1", [gateId, r.seq]);
      const decided = await this.#decide(tx, compoundId, gateId, r);
      await tx.query(`insert into pin_report (gate_id, resident_id, digest, outcome) values ($1, $2, $3, $4)
        on conflict (gate_id, resident_id) do update set digest = excluded.digest, outcome = excluded.outcome`, [gateId, r.residentId, digest, decided.answer]);
      return decided;
    });
    if (outcome.answer !== "taken" && !(outcome.answer === "again" && outcome.outcome === "taken")) this.o.drop(outcome.why, topicText);
    const answer = encodeHubAnswer({
      kind: "pin", gateId, seq: r.seq, residentId: r.residentId, outcome: outcome.answer === "again" ? outcome.outcome : outcome.answer, hubSeq: outcome.hubSeq,
      digest, issuedAt: this.o.now(), keyId: this.o.keyId,
    }, this.o.sign);
    await this.o.publish(topic(compoundId, gateId, "answer"), answer, { retain: false });
    if (outcome.answer === "taken") await Promise.all(outcome.gates.map((g) => this.o.pump(g)));
  }

  /** A new report (its seq spent): taken, or why not. */
  async #decide(tx: Sql, compoundId: number, gateId: number, r: PinReport): Promise<Outcome> {
    const [held] = await tx.query("select 1 from desired_record where gate_id = $1 and resident_id = $2", [gateId, r.residentId]);
    if (!held) return { answer: "not-held", why: `PIN report for resident ${r.residentId}, whom this gate does not hold`, hubSeq: r.seq };
    const [resident] = await tx.query<{ pin_set_at: unknown }>("select pin_set_at from resident where compound_id = $1 and id = $2 for update", [compoundId, r.residentId]);
    if (!resident) return { answer: "unknown", why: `PIN report for resident ${r.residentId}, unknown`, hubSeq: r.seq };
    if (r.time > 0 && num(resident.pin_set_at ?? 0) > r.time) return { answer: "superseded", why: `PIN report for resident ${r.residentId} older than the PIN the hub holds`, hubSeq: r.seq };
    await tx.query("update resident set pin_salt = $3, pin_hash = $4, pin_key_id = $5, pin_set_at = greatest(coalesce(pin_set_at, 0), $6) where compound_id = $1 and id = $2",
      [compoundId, r.residentId, r.salt, r.hash, r.keyId, r.time]);
    return { answer: "taken", gates: await this.o.reconcile(tx, compoundId, [r.residentId]), hubSeq: r.seq };
  }
}
