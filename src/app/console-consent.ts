// The console's consent, face and notice commands over the core's ledger,
// consent requests, gallery and notices. Split from console-backend.ts.
import { formatResidentId, parseResidentId, type ResidentId } from "../core/access/types";
import type { ConsentRequestView, ConsentView, FaceEnrolView, NoticeInput, NoticeView, ReceiptView } from "../core/console/backend";
import { OptgateError } from "../core/errors";
import type { ConsentRequest } from "../core/face/consent-request";
import type { Notice } from "../core/face/notices";
import { consentKeys } from "../core/gate/keypad-entry";
import type { Clock } from "../core/ports";
import type { GateCore } from "./core";

export class ConsoleConsent {
  constructor(
    private readonly core: GateCore,
    private readonly clock: Clock,
    /** A known resident's number (refuses an unknown id). */
    private readonly resident: (id: string) => ResidentId,
    /** The receipt code of the command now running. */
    private readonly receipt: () => string,
  ) {}

  show(resident: string): ConsentView {
    const label = formatResidentId(this.resident(resident));
    const history = this.core.ledger.history(label);
    const last = history[history.length - 1];
    const grant = [...history].reverse().find((r) => r.event === "granted");
    const state = !last ? "none" : last.event === "granted" ? "active" : last.event;
    return {
      resident: label, state, noticeVersion: last?.noticeVersion ?? null,
      witness: state === "active" && grant ? grant.actorId : null,
      grantedAt: state === "active" && grant ? grant.at : null,
      endedAt: last && last.event !== "granted" ? last.at : null,
      templateHeld: this.core.gallery.entry(label) !== undefined,
      pending: requestView(this.core.consentRequests.pending(label, this.clock.now())),
    };
  }

  request(actor: string, resident: string, noticeVersion: number): ConsentRequestView {
    const label = formatResidentId(this.resident(resident));
    this.#currentNotice();
    const request = this.core.consentRequests.arm({ residentId: label, noticeVersion, witnessId: actor, at: this.clock.now() });
    return requestView(request)!;
  }

  cancel(resident: string): ConsentRequestView {
    const label = formatResidentId(this.resident(resident));
    return requestView(this.core.consentRequests.cancel(label, this.clock.now()))!;
  }

  withdraw(actor: string, resident: string): ReceiptView {
    const label = formatResidentId(this.resident(resident));
    const receipt = this.core.withdrawal.fromConsole({ residentId: label, technicianId: actor, at: this.clock.now() });
    return { receipt: receipt.code, at: receipt.record.at, erased: receipt.templateDestroyed ? ["face template", "template key"] : [] };
  }

  faceEnrol(resident: string): FaceEnrolView {
    const label = formatResidentId(this.resident(resident));
    const entry = this.core.enrolment.enrolFromCamera(this.core.ledger.activeConsent(label), this.clock.now());
    return { resident: label, enrolledAt: entry.enrolledAt, noticeVersion: entry.noticeVersion };
  }

  faceDelete(resident: string): ReceiptView {
    const n = this.resident(resident);
    const label = formatResidentId(n);
    const held = this.core.gallery.remove(label);
    if (this.core.registry.get(n)?.faceEnrolled) this.core.registry.setFaceEnrolled(n, false);
    return { receipt: this.receipt(), at: this.clock.now(), erased: held ? ["face template", "template key"] : [] };
  }

  noticeShow(version: number | undefined): NoticeView {
    return noticeView(version === undefined ? this.#currentNotice() : this.core.notices.get(version));
  }

  noticeSet(n: NoticeInput): NoticeView {
    return noticeView(this.core.notices.publish({ purpose: n.purpose, method: n.method, gates: n.scope, retentionDays: n.retentionDays }, this.clock.now()));
  }

  #currentNotice(): Notice {
    const notice = this.core.notices.current();
    if (!notice) throw new OptgateError("E_NO_NOTICE", "No face notice is published on this gate; publish one with notice set first.");
    return notice;
  }
}

function requestView(request: ConsentRequest | undefined): ConsentRequestView | null {
  if (request === undefined) return null;
  return {
    resident: request.residentId, noticeVersion: request.noticeVersion, witness: request.witnessId,
    armedAt: request.armedAt, expiresAt: request.expiresAt, ...consentKeys(parseResidentId(request.residentId)),
  };
}

function noticeView(n: Notice): NoticeView {
  return { version: n.version, purpose: n.purpose, method: n.method, scope: [...n.gates], retentionDays: n.retentionDays, issued: n.publishedAt };
}
