// One-time visitor and courier codes issued at the hub (docs/sync.md "Codes
// issued at the hub", docs/office.md). The hub draws a random code, hands it
// back once for the office to show, and keeps only the code sealed to each
// gate that holds the resident (src/core/sync/sealed-codes.ts): ciphertext it
// cannot open. The code is never stored, logged or put in a URL here.
//
// A code used at one gate must stop at the others: a gate's record of a code
// that opened names the resident and the code's validity start (access-core.ts
// CODE_USE_DETAIL), which is unique among a resident's codes. When the
// uses the hub has seen reach the code's uses, every gate holding it gets the
// removal in its next change set. Until then (the audit upload, then the
// change set: about a second on a connected fleet) the other gates still hold
// it; a gate offline at the time takes the removal when it is back.
import { randomInt, randomFillSync } from "node:crypto";
import { encodeChange } from "../../src/core/access/changes";
import { codeProblem } from "../../src/core/access/secrets";
import { CODE_USE_DETAIL } from "../../src/core/access/access-core";
import type { AuditRecord } from "../../src/core/audit/audit-record";
import { toStoredSeconds } from "../../src/core/access/types";
import { sealCode } from "../../src/core/sync/sealed-codes";
import { HUB_CLOCK_SLACK_MS } from "../../src/core/time/hub-clock";
import { bytes, num, type Db, type Sql } from "./db";

/** Digits of a code the hub draws (6-10 allowed at the gate; 8 keeps guessing and collisions far off). */
export const CODE_DIGITS = 8;
export const MAX_CODE_USES = 20;
/**
 * A code valid "from now" is stored valid from this much earlier: a gate's
 * clock may trail the hub's by up to the slack of a hub time grant, and a
 * visitor typing the code the moment it is shown must not be refused as "not
 * yet valid". The code did not exist before it was issued, so the earlier
 * start opens nothing sooner.
 */
export const ISSUE_CLOCK_SKEW_MS = HUB_CLOCK_SLACK_MS;

export interface CodeSpec {
  /** ms since the epoch; default now. */
  validFrom?: number;
  /** ms since the epoch. */
  validUntil: number;
  uses: number;
}

export interface IssuedCode {
  id: number;
  residentId: number;
  /** ms. */
  validFrom: number;
  validUntil: number;
  uses: number;
  usesSeen: number;
  issuedAt: number;
  issuedBy: string;
  endedAt?: number;
  endedWhy?: "revoked" | "used";
  /** Gates holding it sealed (live codes only). */
  gates: number[];
}

export interface CodesOptions {
  db: Db;
  now: () => number;
  /** Appends changes to a gate's desired state as new versions (in `tx`, gate rows locked in id order). */
  appendChanges(tx: Sql, gateId: number, changes: Uint8Array[]): Promise<void>;
  /** Sends what the gates lack (after the transaction). */
  pump(gateId: number): Promise<void>;
}

const random = { fill: (b: Uint8Array) => { randomFillSync(b); } };

export class HubCodes {
  readonly #o: CodesOptions;

  constructor(options: CodesOptions) {
    this.#o = options;
  }

  /**
   * Issues a code to `residentId`: sealed to every gate of the compound that
   * holds the resident and has a seal key, sent in each one's next change set.
   * Returns the code: the caller shows it once and keeps it nowhere.
   */
  async issue(compoundId: number, residentId: number, spec: CodeSpec, issuedBy: string): Promise<{ id: number; code: string; gates: number[] }> {
    if (!Number.isInteger(spec.uses) || spec.uses < 1 || spec.uses > MAX_CODE_USES) throw new Error(`Uses must be 1 to ${MAX_CODE_USES}.`);
    const now = this.#o.now();
    const asked = spec.validFrom ?? now;
    let from = toStoredSeconds(asked > now ? asked : Math.min(asked, now - ISSUE_CLOCK_SKEW_MS), "validFrom");
    const until = toStoredSeconds(spec.validUntil, "validUntil");
    if (until <= from) throw new Error("A code must expire after it becomes valid.");
    if (spec.validUntil <= now) throw new Error("A code must expire in the future.");
    const code = drawCode();
    const out = await this.#o.db.transaction(async (tx) => {
      const gates = await lockGates(tx, compoundId);
      const [resident] = await tx.query("select 1 from resident where compound_id = $1 and id = $2", [compoundId, residentId]);
      if (!resident) throw new Error(`Resident ${residentId} is unknown.`);
      // The validity start names the code in the gates' use records: unique among all the resident's codes,
      // so a use reported late (a gate offline) of a code that ended is never counted against a newer one.
      const taken = new Set((await tx.query<{ valid_from: unknown }>(
        "select valid_from from issued_code where compound_id = $1 and resident_id = $2", [compoundId, residentId])).map((r) => num(r.valid_from)));
      while (taken.has(from)) from++;
      if (from >= until) throw new Error("The validity window is too short for another code of this resident.");
      const [row] = await tx.query<{ id: unknown }>(
        `insert into issued_code (compound_id, resident_id, valid_from, valid_until, uses, issued_at, issued_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`, [compoundId, residentId, from, until, spec.uses, now, issuedBy]);
      const id = num(row.id);
      const holding = await gatesHolding(tx, gates, residentId);
      for (const g of holding) {
        const sealed = sealCode(g.sealKey, code, { gateId: g.id, residentId }, random);
        await tx.query("insert into code_seal (code_id, gate_id, sealed) values ($1, $2, $3)", [id, g.id, sealed]);
        await this.#o.appendChanges(tx, g.id, [encodeChange({ kind: "add-sealed-code", id: residentId, from, until, uses: spec.uses, sealed })]);
      }
      return { id, gates: holding.map((g) => g.id) };
    });
    await Promise.all(out.gates.map((g) => this.#o.pump(g)));
    return { ...out, code };
  }

  /** Revokes a live code at every gate holding it; false when it is unknown or already ended. */
  async revoke(compoundId: number, codeId: number): Promise<boolean> {
    const gates = await this.#o.db.transaction(async (tx) => {
      await lockGates(tx, compoundId);
      return this.#end(tx, compoundId, codeId, "revoked");
    });
    if (!gates) return false;
    await Promise.all(gates.map((g) => this.#o.pump(g)));
    return true;
  }

  /** The resident's codes, newest first (never the code itself: the hub does not have it). */
  async list(compoundId: number, residentId: number): Promise<IssuedCode[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `select c.*, coalesce(array_agg(s.gate_id order by s.gate_id) filter (where s.gate_id is not null), '{}') as gates
       from issued_code c left join code_seal s on s.code_id = c.id
       where c.compound_id = $1 and c.resident_id = $2 group by c.id order by c.id desc`, [compoundId, residentId]);
    return rows.map((r) => ({
      id: num(r.id), residentId: num(r.resident_id), validFrom: num(r.valid_from) * 1000, validUntil: num(r.valid_until) * 1000,
      uses: num(r.uses), usesSeen: num(r.uses_seen), issuedAt: num(r.issued_at), issuedBy: String(r.issued_by),
      ...(r.ended_at === null ? {} : { endedAt: num(r.ended_at), endedWhy: r.ended_why as "revoked" | "used" }),
      gates: (r.gates as unknown[]).map(num),
    }));
  }

  /**
   * What a full resync carries after the residents: each live code sealed to
   * this gate whose resident the gate holds, with the uses the hub has not
   * yet seen anywhere.
   */
  async resyncChanges(gateId: number): Promise<Uint8Array[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>(
      `select c.resident_id, c.valid_from, c.valid_until, c.uses, c.uses_seen, s.sealed
       from code_seal s join issued_code c on c.id = s.code_id
       join desired_record d on d.gate_id = s.gate_id and d.resident_id = c.resident_id
       where s.gate_id = $1 and c.ended_at is null and c.uses > c.uses_seen order by c.id`, [gateId]);
    return rows.map((r) => encodeChange({
      kind: "add-sealed-code", id: num(r.resident_id), from: num(r.valid_from), until: num(r.valid_until), uses: num(r.uses) - num(r.uses_seen), sealed: bytes(r.sealed),
    }));
  }

  /**
   * A gate's new access records (ingested once each): a code that opened
   * counts one use of the resident's live code it names; used up, it is
   * removed at every gate. Returns the gates to pump.
   */
  async seen(tx: Sql, gateId: number, records: AuditRecord[]): Promise<number[]> {
    const uses = records.filter((r) => r.kind === "code" && r.decision === "grant" && r.actorKind === "resident" && r.detail.startsWith(CODE_USE_DETAIL));
    if (!uses.length) return [];
    const [gate] = await tx.query<{ compound_id: unknown }>("select compound_id from gate where id = $1", [gateId]);
    if (!gate) return [];
    const compoundId = num(gate.compound_id);
    await lockGates(tx, compoundId);
    const pump = new Set<number>();
    for (const r of uses) {
      const from = Number(r.detail.slice(CODE_USE_DETAIL.length));
      if (!Number.isInteger(from)) continue;
      const [code] = await tx.query<{ id: unknown; uses: unknown; uses_seen: unknown }>(
        "update issued_code set uses_seen = uses_seen + 1 where compound_id = $1 and resident_id = $2 and valid_from = $3 and ended_at is null returning id, uses, uses_seen",
        [compoundId, r.actor, from]);
      if (!code || num(code.uses_seen) < num(code.uses)) continue;
      for (const g of (await this.#end(tx, compoundId, num(code.id), "used")) ?? []) pump.add(g);
    }
    return [...pump];
  }

  /** Ends a live code: a removal to each gate holding it (and still holding its resident), its sealed copies dropped. */
  async #end(tx: Sql, compoundId: number, codeId: number, why: "revoked" | "used"): Promise<number[] | undefined> {
    const [code] = await tx.query<{ resident_id: unknown }>(
      "update issued_code set ended_at = $3, ended_why = $4 where id = $1 and compound_id = $2 and ended_at is null returning resident_id",
      [codeId, compoundId, this.#o.now(), why]);
    if (!code) return undefined;
    const residentId = num(code.resident_id);
    const seals = await tx.query<{ gate_id: unknown; sealed: unknown; held: unknown }>(
      `select s.gate_id, s.sealed, d.resident_id as held from code_seal s
       left join desired_record d on d.gate_id = s.gate_id and d.resident_id = $2
       where s.code_id = $1 order by s.gate_id`, [codeId, residentId]);
    const gates: number[] = [];
    for (const s of seals) {
      // A gate that no longer holds the resident dropped the code with them.
      if (s.held === null) continue;
      await this.#o.appendChanges(tx, num(s.gate_id), [encodeChange({ kind: "remove-sealed-code", id: residentId, sealed: bytes(s.sealed) })]);
      gates.push(num(s.gate_id));
    }
    await tx.query("delete from code_seal where code_id = $1", [codeId]);
    return gates;
  }
}

/** A code of CODE_DIGITS digits from the system's cryptographic random source. */
function drawCode(): string {
  let code = "";
  for (let i = 0; i < CODE_DIGITS; i++) code += String(randomInt(10));
  if (codeProblem(code)) throw new Error("drawn code is malformed");
  return code;
}

/** Locks the compound's gate rows in id order (as the hub's reconcile does, so the two never deadlock). */
async function lockGates(tx: Sql, compoundId: number): Promise<{ id: number; sealKey?: Uint8Array }[]> {
  const rows = await tx.query<{ id: unknown; seal_key: unknown }>("select id, seal_key from gate where compound_id = $1 order by id for update", [compoundId]);
  return rows.map((r) => ({ id: num(r.id), ...(r.seal_key === null ? {} : { sealKey: bytes(r.seal_key) }) }));
}

/** The gates that hold the resident now and can receive sealed codes. */
async function gatesHolding(tx: Sql, gates: { id: number; sealKey?: Uint8Array }[], residentId: number): Promise<{ id: number; sealKey: Uint8Array }[]> {
  const held = new Set((await tx.query<{ gate_id: unknown }>("select gate_id from desired_record where resident_id = $1 and gate_id = any($2::bigint[])",
    [residentId, gates.map((g) => g.id)])).map((r) => num(r.gate_id)));
  return gates.filter((g): g is { id: number; sealKey: Uint8Array } => g.sealKey !== undefined && held.has(g.id));
}
