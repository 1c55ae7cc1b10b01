// The pure core of one gate, assembled: registry + access decisions + audit
// log, consent ledger + face gallery + face sessions + withdrawal + retention,
// and the gate controller on top. No IO here: the board hands in ports
// (random, camera, embedder, matcher, frame) and the app feeds events and ticks.
//
//   const core = new GateCore({ gateId: 1, random, deviceKey, matcher, camera, embedder, frame, outputs });
//   core.gate.card(uid, now); core.gate.key("#", now); core.tick(now);
//   core.registry.addResident({...}); core.consentRequests.arm({...}) (the resident confirms at the keypad);
//   core.enrolment.enrolFromCamera(core.ledger.activeConsent(id), now)
import { cameraDetail } from "../core/audit/camera-session";
import { AccessCore } from "../core/access/access-core";
import type { GatePolicy } from "../core/access/policy";
import type { GuessingAlarm } from "../core/access/access-core";
import { DEFAULT_CLOCK_FLOOR_MS, DEFAULT_LOCKOUT } from "../core/access/policy";
import { DEFAULT_PIN_LENGTH } from "../core/access/secrets";
import { Registry } from "../core/access/registry";
import { formatResidentId, parseResidentId } from "../core/access/types";
import { auditSubject, type AuditKind } from "../core/audit/audit-record";
import { AuditTrail } from "../core/audit/audit-trail";
import { technicianNumber } from "./console-accounts";
import { isOptgateError, OptgateError } from "../core/errors";
import { ConsentLedger } from "../core/face/consent-ledger";
import { ConsentRequests } from "../core/face/consent-request";
import { FaceEnrolment } from "../core/face/enrolment";
import { FaceGallery } from "../core/face/face-gallery";
import { FaceSession } from "../core/face/face-session";
import { NoticeBoard } from "../core/face/notices";
import type { AuditSink, FaceAuditEvent, FaceAuditKind } from "../core/face/ports";
import { RetentionSweeper } from "../core/face/retention";
import { MemoryTemplateVault, type TemplateVault } from "../core/face/template-vault";
import { FaceWithdrawal } from "../core/face/withdrawal";
import { describeModel } from "../core/face/sealed-template";
import { matchPolicy, type MatchPolicyCosines } from "../core/matcher/decision";
import { Gate, type DoorAlarm, type GateConfig, type GateDecision } from "../core/gate/gate";
import type { GateOutputs } from "../core/gate/ports";
import type { Camera, Clock, Embedder, Frame, LivenessSetting, Matcher, Random } from "../core/ports";
import { CoreAccess, KEYPAD_ID, KeypadConsent, KeypadWithdrawal, SessionFace, WITHDRAW_FUNCTION } from "./gate-adapters";

export interface GateCoreOptions {
  /** This gate's number (policy, audit) ; the face side calls it "gate-<n>". */
  gateId: number;
  /** Board time, for checks the face side makes without passing a time (PIN confirmations). */
  clock: Clock;
  /** The board's monotonic ms: face sessions time their camera on it (FaceSession ticks). */
  ticks?: () => number;
  random: Random;
  /** Secret for PIN and code hashes (from the store's key area on a real board). */
  deviceKey: Uint8Array;
  matcher: Matcher;
  camera: Camera;
  embedder: Embedder;
  /** Match thresholds (cosines) for this embedder; DEFAULT_THRESHOLDS (synthetic) when absent. */
  faceThresholds?: MatchPolicyCosines;
  /** The one frame buffer for face sessions and enrolment. */
  frame: Frame;
  outputs: GateOutputs;
  /** Where sealed templates and their keys live (flash on a board). */
  vault?: TemplateVault;
  /** Restored from the store at boot (persistence.ts); fresh ones otherwise. */
  registry?: Registry;
  audit?: AuditTrail;
  notices?: NoticeBoard;
  /** Every new consent record, encoded, before it counts (the store appends it). */
  onConsentRecord?: (bytes: Uint8Array) => void;
  policy?: Partial<GatePolicy>;
  gate?: Partial<GateConfig>;
  auditCapacity?: number;
  /** Days without a match before a template is deleted. */
  inactivityDays?: number;
  onDecision?: (decision: GateDecision) => void;
  /** Door alarms, after they are audited. */
  onAlarm?: (kind: DoorAlarm, now: number) => void;
  /** A keypad or reader throttle engaged (guessing), after it is audited. */
  onGuessingAlarm?: (alarm: GuessingAlarm) => void;
}

/** A gate that opens for card, PIN, codes and (for consenting residents) face, around the clock, in China time. */
export function defaultPolicy(gateId: number): GatePolicy {
  return {
    gateId,
    modes: { card: true, pin: true, cardPin: false, face: true, facePin: false, code: true },
    pinLength: { ...DEFAULT_PIN_LENGTH },
    lockout: { ...DEFAULT_LOCKOUT },
    timeZone: "CST-8",
    clockFloorMs: DEFAULT_CLOCK_FLOOR_MS,
    groups: [{ group: 0, schedule: { week: { mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"], fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"] } } }],
  };
}

const SWEEP_EVERY_MS = 60_000;
/** A wall-clock jump between ticks beyond this holds retention sweeps until confirmed. */
const CLOCK_JUMP_HOLD_MS = 24 * 3600_000;

const FACE_AUDIT: Record<FaceAuditKind, AuditKind> = {
  "consent.granted": "consent-given",
  "consent.withdrawn": "consent-withdrawn",
  "consent.lapsed": "consent-withdrawn",
  "face.enrolled": "face-enrolled",
  "face.withdrawn": "face-erased",
  "face.expired": "face-erased",
  "face.inactive": "face-erased",
  "face.locked-out": "face",
  "camera.off": "camera-session",
};

/** Face events the retention rule causes, and what the record says of it. */
const RULE_DETAIL: Partial<Record<FaceAuditKind, string>> = {
  "consent.lapsed": "retention: consent lapsed",
  "face.expired": "retention: period ended",
  "face.inactive": "retention: unused too long",
};

export class GateCore {
  readonly gateName: string;
  readonly registry: Registry;
  readonly audit: AuditTrail;
  readonly access: AccessCore;
  readonly notices: NoticeBoard;
  readonly vault: TemplateVault;
  readonly ledger: ConsentLedger;
  /** Consent armed by a technician at the console, confirmed by the resident at the keypad. */
  readonly consentRequests: ConsentRequests;
  readonly gallery: FaceGallery;
  /** The face model as status shows it (id, version, size; a synthetic one says so). */
  readonly faceModel: string;
  readonly session: FaceSession;
  readonly enrolment: FaceEnrolment;
  readonly withdrawal: FaceWithdrawal;
  readonly retention: RetentionSweeper;
  readonly gate: Gate;
  readonly #embedder: Embedder;
  #lastSweep = -Infinity;
  #lastTick: number | undefined;
  #sweepHold: string | undefined;
  /**
   * Why face entry is held, else undefined: the fleet link sets it while a
   * gate that has just reconnected catches up on erase orders
   * (src/app/fleet-link.ts). The face key then powers nothing and offers
   * card or PIN, as for a resident without consent.
   */
  faceHold: string | undefined;
  /** A face enrolled at this gate's console (not one delivered from another gate): the fleet link shares it within the consent's scope. */
  onEnrolled: ((residentId: string) => void) | undefined;

  constructor(o: GateCoreOptions) {
    this.gateName = `gate-${o.gateId}`;
    this.registry = o.registry ?? new Registry({ deviceKey: o.deviceKey, random: o.random });
    this.audit = o.audit ?? new AuditTrail({ capacity: o.auditCapacity });
    this.notices = o.notices ?? new NoticeBoard();
    // A throttle engaging sounds the alarm pattern at the gate (audited by the access core); status shows it.
    let gate: Gate | undefined;
    this.access = new AccessCore({
      registry: this.registry, audit: this.audit, policy: { ...defaultPolicy(o.gateId), ...o.policy },
      onGuessingAlarm: (alarm) => { gate?.guessingAlarm(alarm.at); o.onGuessingAlarm?.(alarm); },
    });
    this.vault = o.vault ?? new MemoryTemplateVault();
    const faceAudit: AuditSink = { append: (event) => this.#faceEvent(event) };
    const registry = this.registry;
    const access = this.access;
    // A PIN the keypad adapters just verified (KeypadPinCheck), accepted once by the ledger without a second count.
    let verified: { id: string; pin: string } | undefined;
    const checkKeypadPin = (resident: number, pin: string, now: number): "ok" | "wrong-pin" | "locked-out" => {
      verified = undefined;
      const decision = access.confirmPin(resident, pin, now, KEYPAD_ID);
      if (!decision.grant) return decision.reason === "locked-out" ? "locked-out" : "wrong-pin";
      verified = { id: formatResidentId(resident), pin };
      return "ok";
    };
    this.ledger = new ConsentLedger({
      notices: this.notices,
      audit: faceAudit,
      residents: { exists: (id) => registry.has(residentNumber(id)) },
      // Consent and withdrawal PINs go through the same lockout and audit as door PINs.
      pins: {
        verify: (id, pin) => {
          const already = verified !== undefined && verified.id === id && verified.pin === pin;
          verified = undefined;
          return already || access.confirmPin(residentNumber(id), pin, o.clock.now(), KEYPAD_ID).grant;
        },
      },
      onChange: o.onConsentRecord ? (_record, bytes) => o.onConsentRecord!(bytes) : undefined,
    });
    this.consentRequests = new ConsentRequests({
      ledger: this.ledger,
      notices: this.notices,
      residents: { exists: (id) => registry.has(residentNumber(id)) },
      pins: { hasPin: (id) => registry.get(residentNumber(id))?.hasPin === true },
    });
    this.#embedder = o.embedder;
    this.faceModel = `${describeModel(o.embedder.model)}, ${o.embedder.dimension}-d${o.embedder.simulated ? " (SYNTHETIC: simulation only, recognises nobody)" : ""}`;
    this.gallery = new FaceGallery({ matcher: o.matcher, vault: this.vault, ledger: this.ledger, random: o.random, model: o.embedder.model });
    // Read live: a technician may switch face modes at the console.
    const gatePolicy = {
      gateId: this.gateName,
      get face() { return access.policy.modes.face || access.policy.modes.facePin; },
      // 1:N only where the policy turns it on; otherwise a typed resident number and 1:1.
      get oneToN() { return access.policy.modes.faceOneToN === true; },
      get liveness() { return access.policy.faceLiveness ?? "off"; },
    };
    this.session = new FaceSession({
      gate: gatePolicy, camera: o.camera, embedder: o.embedder, matcher: o.matcher, gallery: this.gallery, ledger: this.ledger, frame: o.frame, audit: faceAudit,
      ...(o.faceThresholds ? { policy: matchPolicy(o.faceThresholds) } : {}), ...(o.ticks ? { ticks: o.ticks } : {}),
    });
    this.enrolment = new FaceEnrolment({
      gallery: this.gallery, ledger: this.ledger, camera: o.camera, embedder: o.embedder, frame: o.frame, audit: faceAudit,
      // The registry's rule (a card or a PIN before face), asked before the camera powers on.
      eligible: (id) => registry.checkFaceEnrolment(residentNumber(id)),
    });
    this.withdrawal = new FaceWithdrawal({ ledger: this.ledger, gallery: this.gallery, audit: faceAudit, keypadCode: WITHDRAW_FUNCTION });
    this.retention = new RetentionSweeper({ ledger: this.ledger, gallery: this.gallery, notices: this.notices, audit: faceAudit, inactivityDays: o.inactivityDays ?? 180 });
    this.gate = new Gate({
      access: new CoreAccess(this.access),
      face: new SessionFace(this.session, () => this.faceHold),
      withdrawal: new KeypadWithdrawal(this.withdrawal, checkKeypadPin),
      consent: new KeypadConsent(this.consentRequests, checkKeypadPin),
      outputs: o.outputs,
      config: o.gate,
      onDecision: o.onDecision,
      onAlarm: (kind, now) => {
        this.audit.append({ time: now, actorKind: "system", actor: 0, kind: kind === "forced-open" ? "door-forced" : "door-held", decision: "info", reason: "info" });
        o.onAlarm?.(kind, now);
      },
    });
    gate = this.gate;
  }

  /** Timeouts, face session steps, and (once a minute) the retention sweep and used-up code purge. */
  tick(now: number): void {
    // Ticks come many times a second: a day between two is the wall clock jumping (RTC, a glitch), not time passing.
    if (this.#lastTick !== undefined && Math.abs(now - this.#lastTick) > CLOCK_JUMP_HOLD_MS && this.#sweepHold === undefined) {
      this.#sweepHold = `clock jumped ${Math.round((now - this.#lastTick) / 86_400_000)} day(s) by itself`;
      this.audit.append({ time: now, actorKind: "system", actor: 0, kind: "clock-drift", decision: "info", reason: "info", detail: `jump; sweeps held until clock confirm` });
    }
    this.#lastTick = now;
    this.gate.tick(now);
    if (now - this.#lastSweep >= SWEEP_EVERY_MS || now < this.#lastSweep) {
      this.#lastSweep = now;
      // Retention never erases because of a clock change nobody confirmed (a typo, a glitch).
      if (!this.session.active && this.#sweepHold === undefined) this.retention.sweep(now);
      this.access.purgeUsedUpCodes(now);
      this.access.flushBursts(now);
    }
  }

  /**
   * Refuses a policy whose presentation-attack check this gate's face model
   * cannot run (E_LIVENESS_UNAVAILABLE). The console asks this when a
   * technician sets face.liveness: refused there and then, with the reason,
   * is what someone at the gate can act on. Stored settings at boot are not
   * refused (the model may have changed under them): see livenessDamage.
   */
  checkFaceLiveness(setting: LivenessSetting | undefined): void {
    if (setting === undefined || setting === "off" || this.#embedder.livenessChecks?.includes(setting) === true) return;
    const can = this.#embedder.livenessChecks?.length ? `it runs ${this.#embedder.livenessChecks.join(", ")}` : "it has no presentation-attack check";
    throw new OptgateError("E_LIVENESS_UNAVAILABLE", `This gate's face model (${this.faceModel}) cannot run the ${setting} check: ${can}. face.liveness stays ${this.access.policy.faceLiveness ?? "off"}.`);
  }

  /**
   * The stored face.liveness asks for a check the face model cannot run (a
   * model changed under the settings): the face key is refused with the
   * camera off until a technician turns the setting off or fits a model that
   * can. Face is never matched without a check that was asked for.
   */
  get livenessDamage(): string | undefined {
    const setting = this.access.policy.faceLiveness ?? "off";
    if (setting === "off" || this.#embedder.livenessChecks?.includes(setting) === true) return undefined;
    return `face.liveness is ${setting} but the face model cannot run it: face entry refused (card and PIN work); config set face.liveness off, or fit a model that can`;
  }

  /** Why retention sweeps are held (an unconfirmed clock jump), else undefined. */
  get sweepHold(): string | undefined {
    return this.#sweepHold;
  }

  /** A technician is setting the clock (confirmed at the console): the jump is theirs, not a glitch. */
  clockChanging(): void {
    this.#lastTick = undefined;
  }

  /** A technician checked the time: sweeps run again. */
  confirmClock(): void {
    this.#sweepHold = undefined;
    this.#lastTick = undefined;
  }

  /**
   * After a restore: the registry's face flags follow what the gallery really
   * holds, except that an active resident with no card or PIN keeps the flag
   * off (E_FACE_NEEDS_CARD_OR_PIN): the access core then refuses their face,
   * which is the safe side, and boot goes on.
   */
  syncFaceFlags(): void {
    for (const id of this.registry.ids()) {
      const enrolled = this.gallery.entry(formatResidentId(id)) !== undefined;
      if (this.registry.get(id)?.faceEnrolled === enrolled) continue;
      try {
        this.registry.setFaceEnrolled(id, enrolled);
      } catch (error) {
        if (!isOptgateError(error, "E_FACE_NEEDS_CARD_OR_PIN")) throw error;
      }
    }
  }

  /**
   * Face lifecycle events go into the same hash-chained audit log, and keep
   * the registry's "has a face template" flag, which the access core checks
   * before it accepts a face match, in step with the gallery.
   */
  #faceEvent(event: FaceAuditEvent): void {
    if (event.kind === "camera.off") {
      // About the camera, not a resident: no subject, whoever stood there.
      this.audit.append({ time: event.at, actorKind: "system", actor: 0, kind: "camera-session", decision: "info", reason: "info", detail: cameraDetail(event.cameraMs ?? 0) });
      return;
    }
    const id = residentNumber(event.residentId);
    // The resident is the subject: the record is about their consent or face data, whoever acted.
    // The actor is who did it: a technician at the console, the retention rule (a lapse, an
    // expiry, inactivity), the gate itself (a face suspension), or the resident.
    const rule = RULE_DETAIL[event.kind];
    const lockout = event.kind === "face.locked-out";
    // Only what was done at the console is the technician's: a consent given at the keypad is the resident's own act.
    const technician = event.actorId && event.channel === "console" ? technicianNumber(event.actorId) : 0;
    this.audit.append({
      time: event.at,
      actorKind: technician ? "technician" : rule || lockout ? "system" : "resident",
      actor: technician || (rule || lockout ? 0 : id),
      kind: FACE_AUDIT[event.kind],
      decision: lockout ? "deny" : "info", reason: lockout ? "locked-out" : "info", subject: auditSubject(id),
      ...(rule ? { detail: rule } : event.receipt ? { detail: `receipt ${event.receipt}` } : {}),
    });
    if (this.registry.has(id)) {
      const enrolled = this.gallery.entry(event.residentId) !== undefined;
      if (this.registry.get(id)?.faceEnrolled !== enrolled) this.registry.setFaceEnrolled(id, enrolled);
    }
    if (event.kind === "face.enrolled") this.onEnrolled?.(event.residentId);
  }
}

function residentNumber(id: string): number {
  try {
    return parseResidentId(id);
  } catch {
    return 0;
  }
}
