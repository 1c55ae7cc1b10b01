// Withdrawal of face consent, at the keypad (withdrawal code + the resident's
// PIN) or from the console (technician). Consent ends, the template and its
// key are destroyed and the matcher slot zeroed in the same call, so face
// stops working for that resident at once; cards and PINs are not touched.
import { sha256 } from "../crypto";
import { OptgateError } from "../errors";
import { encodeConsentRecord, type ConsentRecord } from "./consent-record";
import type { ConsentLedger } from "./consent-ledger";
import type { FaceGallery } from "./face-gallery";
import type { AuditSink } from "./ports";

export interface WithdrawalReceipt {
  /** Shown on the keypad display / console: "1234-5678", derived from the withdrawal record. */
  code: string;
  record: ConsentRecord;
  /** A template (and key) existed and was destroyed. */
  templateDestroyed: boolean;
}

export interface FaceWithdrawalOptions {
  ledger: ConsentLedger;
  gallery: FaceGallery;
  audit: AuditSink;
  /** The key sequence that starts a withdrawal at the keypad (e.g. "*0"). */
  keypadCode: string;
}

/** 8 digits from the record's hash: short enough to write down, checkable against the ledger later. */
export function receiptCode(record: ConsentRecord): string {
  const h = sha256(encodeConsentRecord(record));
  const n = (((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0) % 100_000_000;
  const digits = String(n).padStart(8, "0");
  return `${digits.slice(0, 4)}-${digits.slice(4)}`;
}

export class FaceWithdrawal {
  #o: FaceWithdrawalOptions;
  /** Told after every completed withdrawal (the fleet link fans one made here out to the other gates). */
  onWithdrawn?: (receipt: WithdrawalReceipt) => void;

  constructor(options: FaceWithdrawalOptions) {
    this.#o = options;
  }

  atKeypad(request: { code: string; residentId: string; pin: string; at: number }): WithdrawalReceipt {
    if (request.code !== this.#o.keypadCode) {
      throw new OptgateError("E_WITHDRAW_CODE", "That is not the withdrawal code; nothing was changed.");
    }
    return this.#complete(this.#o.ledger.withdraw({ channel: "keypad", residentId: request.residentId, pin: request.pin, at: request.at }));
  }

  fromConsole(request: { residentId: string; technicianId: string; at: number }): WithdrawalReceipt {
    return this.#complete(this.#o.ledger.withdraw({ channel: "console", ...request }));
  }

  /** Withdrawn elsewhere in the fleet: the hub's verified erase order ends consent here too. */
  fromHub(request: { residentId: string; at: number }): WithdrawalReceipt {
    return this.#complete(this.#o.ledger.withdraw({ channel: "hub", ...request }));
  }

  /**
   * The hub's verified erase order, whatever this gate holds: consent in force
   * ends (fromHub); otherwise the order is recorded (ledger.withdrawnElsewhere)
   * so a delivery of the withdrawn consent that arrives later cannot install,
   * and any template goes. Says whether there was one.
   */
  byHubOrder(request: { residentId: string; at: number }): { held: boolean } {
    if (this.#o.ledger.isActive(request.residentId)) return { held: this.fromHub(request).templateDestroyed };
    this.#o.ledger.withdrawnElsewhere(request.residentId, request.at);
    return { held: this.#o.gallery.remove(request.residentId) };
  }

  #complete(record: ConsentRecord): WithdrawalReceipt {
    const templateDestroyed = this.#o.gallery.remove(record.residentId);
    const code = receiptCode(record);
    this.#o.audit.append({ at: record.at, kind: "face.withdrawn", residentId: record.residentId, channel: record.channel, receipt: code, ...(record.actorId ? { actorId: record.actorId } : {}) });
    const receipt = { code, record, templateDestroyed };
    this.onWithdrawn?.(receipt);
    return receipt;
  }
}
