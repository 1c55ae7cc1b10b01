// PINs set at this gate under the compound PIN key, on their way to the hub
// (src/core/sync/pin-report.ts; docs/sync.md "PINs across gates"). Each local
// set-compound-pin change (console `pin set`, `resident add` with a PIN)
// becomes a signed report kept on flash until the hub answers it
// (src/core/sync/hub-answer.ts; the broker having it is not enough: a hub
// process killed before its database stored the report lost it):
//
//   fleet/pin-seq          u32: the last report's seq (the hub refuses anything not above it;
//                          a new seq is also at least the trusted time in seconds)
//   fleet/pin/<resident>   the newest unanswered report for that resident (8 hex digits)
//
// The firmware writes them in the store group that records the registry change
// itself (reportFor: the ops, then StoredRegistry.record), so a power cut
// leaves the PIN with its report and seq, or neither. A newer PIN for the
// same resident replaces the unanswered report. A "replayed" answer (the hub
// took a later seq first, or took this one and its answer was lost) makes the
// same report again under a seq past the hub's.
import { CHANGE_KINDS, decodeChange } from "../core/access/changes";
import { constantTimeEqual } from "../core/crypto";
import { isOptgateError } from "../core/errors";
import type { LogStore, StoreOp } from "../core/store/log-store";
import type { Sign } from "../core/sync/messages";
import { answerDigest, type HubAnswer } from "../core/sync/hub-answer";
import { decodePinReport, encodePinReport, type PinReport } from "../core/sync/pin-report";

const SEQ = "fleet/pin-seq";
const PREFIX = "fleet/pin/";
const SET_COMPOUND_PIN = CHANGE_KINDS.indexOf("set-compound-pin");
const ADD_RESIDENT = CHANGE_KINDS.indexOf("add-resident");

export interface PendingReport {
  residentId: number;
  report: Uint8Array;
  /** The report and its seq, for the store group that records the change. */
  ops: StoreOp[];
}

export interface PinReportsOptions {
  store: LogStore;
  gateId: number;
  /** The gate's signing key (the audit store's). */
  sign: Sign;
  /** The gate's time when trusted, else undefined (reported as 0). */
  trustedNow: () => number | undefined;
  log: (line: string) => void;
}

export class PinReports {
  /** Told of each new report (the fleet link sends it); none while the gate runs without a link. */
  onReport?: (residentId: number, report: Uint8Array) => void;

  constructor(private readonly o: PinReportsOptions) {}

  /**
   * The report a registry change made here calls for (a compound verifier), with the store ops
   * that keep it and its seq, to commit in the change's own group; undefined for anything else.
   */
  reportFor(bytes: Uint8Array): PendingReport | undefined {
    if (bytes[0] !== SET_COMPOUND_PIN && bytes[0] !== ADD_RESIDENT) return undefined;
    const change = decodeChange(bytes);
    if (change.kind !== "set-compound-pin" && change.kind !== "add-resident") return undefined;
    const verifier = change.kind === "set-compound-pin" ? change : change.pin?.keyId ? { ...change.pin, keyId: change.pin.keyId } : undefined;
    if (!verifier) return undefined;
    const now = this.o.trustedNow();
    return this.#report({ gateId: this.o.gateId, residentId: change.id, keyId: verifier.keyId, salt: verifier.salt, hash: verifier.hash, time: now ?? 0 }, 0);
  }

  /**
   * A report under the next seq: past the stored one, past `floor` (the hub's last), and past the
   * trusted time in seconds, so a seq record lost to damage does not leave every later report below
   * what the hub already took.
   */
  #report(r: Omit<PinReport, "seq">, floor: number): PendingReport {
    const now = this.o.trustedNow();
    const seq = Math.max(this.#seq() + 1, floor + 1, now === undefined ? 0 : Math.floor(now / 1000));
    const report = encodePinReport({ ...r, seq }, this.o.sign);
    const seqBytes = new Uint8Array(4);
    new DataView(seqBytes.buffer).setUint32(0, seq);
    return { residentId: r.residentId, report, ops: [{ put: SEQ, value: seqBytes }, { put: key(r.residentId), value: report }] };
  }

  /** The report's group is stored: the link may send it. */
  kept(pending: PendingReport): void {
    this.onReport?.(pending.residentId, pending.report);
  }

  /** reportFor, committed on its own (where no registry change carries it), then kept. */
  changedHere(bytes: Uint8Array): void {
    const pending = this.reportFor(bytes);
    if (!pending) return;
    try {
      this.o.store.commit(pending.ops);
      this.kept(pending);
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      this.o.log(`fleet: the PIN of ${pending.residentId} was set here but not kept for the hub (${error.message}); it opens only this gate until set again`);
    }
  }

  /**
   * Reports the hub has not answered, in seq order: the hub takes only a seq above the
   * last it took from this gate, so in the store's key order (by resident) a lower seq sent after
   * a higher one was dropped as a replay, and the PIN change it carried was lost.
   */
  pending(): { residentId: number; report: Uint8Array }[] {
    const out: { residentId: number; report: Uint8Array; seq: number }[] = [];
    for (const k of this.o.store.keys(PREFIX)) {
      try {
        const report = this.o.store.get(k);
        if (report) out.push({ residentId: parseInt(k.slice(PREFIX.length), 16), report, seq: decodePinReport(report).report.seq });
      } catch {
        this.o.log(`fleet: a PIN report (${k}) is unreadable and dropped`);
      }
    }
    return out.sort((a, b) => a.seq - b.seq).map(({ residentId, report }) => ({ residentId, report }));
  }

  /**
   * The hub's verified answer (fleet.ts checks it): the report it names, if still the one kept for
   * its resident, is settled, or made again under a new seq for a "replayed" answer. An answer to a
   * report a newer one replaced changes nothing. False when the store refused the change: the
   * report is still the one on flash, and the link sends it again.
   */
  answered(a: HubAnswer): boolean {
    if (a.kind !== "pin") return true;
    try {
      const held = this.o.store.get(key(a.residentId));
      if (!held || !constantTimeEqual(answerDigest(held), a.digest)) return true;
      if (a.outcome === "replayed") {
        const { seq: _, ...r } = decodePinReport(held).report;
        const again = this.#report(r, a.hubSeq);
        this.o.store.commit(again.ops);
        this.kept(again);
        return true;
      }
      this.o.store.delete(key(a.residentId));
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      this.o.log(`fleet: the hub's answer to the PIN report of ${a.residentId} not kept (${error.message}); the report goes again`);
      return false;
    }
    if (a.outcome !== "taken") this.o.log(`fleet: the hub did not take the PIN of ${a.residentId} (${a.outcome}); it opens this gate only`);
    return true;
  }

  #seq(): number {
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.o.store.get(SEQ);
    } catch {
      bytes = undefined;
    }
    return bytes && bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : 0;
  }
}

function key(residentId: number): string {
  return PREFIX + residentId.toString(16).padStart(8, "0");
}
