// The gate controller: driver events in (card, key, exit button, door
// contact, tick), effects out (relay pulse, indicator, prompt). It decides
// nothing itself: access comes from GateAccess, faces from GateFace. It owns
// the keypad entry buffer, the "card waiting for its PIN" claim, timeouts,
// and the rule that only a face session (started on purpose at the keypad)
// can reach the camera: card, PIN and code paths never call GateFace.start().
//
// Use: new Gate({ access, face, withdrawal, consent, outputs, config }), then feed
// card(uid, now) / key(k, now) / exit(now) / doorAlarm(kind, now) / tick(now).
// Door alarms are detected by the door contact driver, which knows the
// relay's real state; the gate signals them and has them audited.

import { KeypadEntryBuffer, type KeypadEntry } from "./keypad-entry";
import type { AccessDecision, FaceOutcome, GateAccess, GateConsent, GateFace, GateOutputs, GateWithdrawal, ReceiptResult } from "./ports";
import { promptFor } from "./prompts";

export type Via = "card" | "card+pin" | "pin" | "code" | "face" | "face+pin" | "exit" | "withdraw" | "consent";

export interface GateDecision {
  time: number;
  via: Via;
  grant: boolean;
  reason: string;
  resident?: string;
}

export interface GateConfig {
  /** How long the strike stays energised after a grant. */
  unlockMs: number;
  /** A half-typed entry or a card waiting for its PIN is dropped after this much silence. */
  entryTimeoutMs: number;
}

export const DEFAULT_GATE_CONFIG: GateConfig = { unlockMs: 5000, entryTimeoutMs: 15000 };

export type DoorAlarm = "forced-open" | "held-open";

export interface GateOptions {
  access: GateAccess;
  face?: GateFace;
  withdrawal?: GateWithdrawal;
  /** The resident's keypad confirmation of a consent request armed at the console. */
  consent?: GateConsent;
  outputs: GateOutputs;
  config?: Partial<GateConfig>;
  /** Told about every decision and withdrawal (status display, diagnostics). */
  onDecision?: (decision: GateDecision) => void;
  /** Told about door alarms (forced open, held open). The audit hook lives in the app. */
  onAlarm?: (kind: DoorAlarm, now: number) => void;
}

const RECENT = 8;

export class Gate {
  readonly config: GateConfig;
  #access: GateAccess;
  #face?: GateFace;
  #withdrawal?: GateWithdrawal;
  #consent?: GateConsent;
  #out: GateOutputs;
  #onDecision?: (decision: GateDecision) => void;
  #onAlarm?: (kind: DoorAlarm, now: number) => void;
  #entry = new KeypadEntryBuffer();
  #lastKeyAt = 0;
  #pendingCard?: Uint8Array;
  /** A face matched where the gate also wants the PIN: the resident it matched. */
  #pendingFace?: string;
  #pendingSince = 0;
  #unlockedUntil = -1;
  #recent: GateDecision[] = [];

  constructor(options: GateOptions) {
    this.config = { ...DEFAULT_GATE_CONFIG, ...options.config };
    this.#access = options.access;
    this.#face = options.face;
    this.#withdrawal = options.withdrawal;
    this.#consent = options.consent;
    this.#out = options.outputs;
    this.#onDecision = options.onDecision;
    this.#onAlarm = options.onAlarm;
  }

  /** Last decisions, newest last (pseudonymous ids and reason codes only). */
  get recent(): readonly GateDecision[] {
    return this.#recent;
  }

  get unlocked(): boolean {
    return this.#unlockedUntil >= 0;
  }

  get keypadStage(): string {
    return this.#entry.stage;
  }

  /** How many digits the current keypad field holds (for a masked display). */
  get keypadDigits(): number {
    return this.#entry.digits;
  }

  card(uid: Uint8Array, now: number): void {
    // A card ends anything else in progress, a face session included (camera off).
    this.#cancelFace(now);
    this.#entry.clear();
    this.#forgetCard();
    const decision = this.#access.card(uid, now);
    if (!decision.grant && decision.reason === "second-factor-required") {
      this.#pendingCard = uid.slice();
      this.#pendingSince = now;
      this.#entry.expectCardPin();
      this.#out.signal("waiting");
      this.#out.prompt(promptFor("second-factor-required"));
      return;
    }
    this.#apply("card", decision, now);
  }

  key(key: string, now: number): void {
    this.#lastKeyAt = now;
    const hadClaim = this.#pendingCard !== undefined || this.#pendingFace !== undefined;
    const result = this.#entry.press(key);
    switch (result.kind) {
      case "entry":
        this.#enter(result.entry, now);
        return;
      case "progress":
        this.#out.signal("waiting");
        this.#out.prompt(promptFor(`stage:${result.stage}`));
        return;
      case "cleared":
        this.#forgetCard();
        this.#cancelFace(now);
        this.#out.signal("idle");
        this.#out.prompt(promptFor("cleared"));
        return;
      case "rejected":
        if (hadClaim) this.#forgetCard();
        this.#out.signal("denied");
        this.#out.prompt(promptFor(`keypad:${result.why}`));
        return;
    }
  }

  exit(now: number): void {
    this.#apply("exit", this.#access.exit(now), now);
  }

  /** Someone is guessing at the keypad or the reader: the alarm pattern, as for the door (the access core audits it). */
  guessingAlarm(_now: number): void {
    this.#out.signal("alarm");
  }

  doorAlarm(kind: DoorAlarm, now: number): void {
    this.#out.signal("alarm");
    this.#onAlarm?.(kind, now);
  }

  tick(now: number): void {
    if (this.#unlockedUntil >= 0 && now >= this.#unlockedUntil) {
      this.#unlockedUntil = -1;
      this.#out.signal("idle");
    }
    const claim = this.#pendingCard !== undefined || this.#pendingFace !== undefined;
    const quietSince = claim ? Math.max(this.#pendingSince, this.#lastKeyAt) : this.#lastKeyAt;
    if ((this.#entry.stage !== "idle" || this.#entry.digits > 0) && now - quietSince >= this.config.entryTimeoutMs) {
      this.#entry.clear();
      this.#forgetCard();
      this.#out.signal("idle");
      this.#out.prompt(promptFor("entry-timeout"));
    }
    if (this.#face?.active) {
      const outcome = this.#face.tick(now);
      if (outcome) this.#faceDone(outcome, now);
    }
  }

  #enter(entry: KeypadEntry, now: number): void {
    switch (entry.kind) {
      case "card-pin": {
        const card = this.#pendingCard;
        const face = this.#pendingFace;
        this.#pendingCard = undefined;
        this.#pendingFace = undefined;
        if (face !== undefined) {
          this.#apply("face+pin", this.#access.faceWithPin(face, entry.pin, now), now);
          return;
        }
        if (!card) {
          this.#out.prompt(promptFor("entry-timeout"));
          return;
        }
        const decision = this.#access.cardWithPin(card, entry.pin, now);
        card.fill(0);
        this.#apply("card+pin", decision, now);
        return;
      }
      case "pin":
        this.#apply("pin", this.#access.pin(entry.who, entry.pin, now), now);
        return;
      case "code":
        this.#apply("code", this.#access.code(entry.code, now), now);
        return;
      case "face":
        this.#startFace(now, entry.who);
        return;
      case "withdraw":
        this.#receiptEntry("withdraw", this.#withdrawal?.withdraw(entry.who, entry.pin, now), { reason: "consent-withdrawn", prompt: "withdrawn" }, now);
        return;
      case "consent":
        this.#receiptEntry("consent", this.#consent?.confirm(entry.who, entry.pin, now), { reason: "consent-given", prompt: "consented" }, now);
        return;
    }
  }

  #startFace(now: number, claim: string | undefined): void {
    // The face key again during a session changes nothing: the session runs to its end.
    if (this.#face?.active) {
      this.#out.prompt(promptFor("face-look"));
      return;
    }
    const started = this.#face ? this.#face.start(now, claim) : false;
    if (started === "claim-needed") {
      // 1:1 only at this gate: the resident number first, camera still off.
      this.#out.signal("waiting");
      this.#out.prompt(promptFor("face-claim-needed"));
      return;
    }
    if (!started) {
      this.#out.signal("denied");
      this.#out.prompt(promptFor("face-unavailable"));
      return;
    }
    this.#out.signal("face");
    this.#out.prompt(promptFor("face-look"));
  }

  #faceDone(outcome: FaceOutcome, now: number): void {
    if (outcome.matched) {
      const decision = this.#access.face(outcome.resident, true, now);
      if (!decision.grant && decision.reason === "second-factor-required") {
        // Face + PIN gate: the match names the resident, the PIN confirms it.
        this.#entry.expectCardPin();
        this.#pendingFace = outcome.resident;
        this.#pendingSince = now;
        this.#out.signal("waiting");
        this.#out.prompt(promptFor("second-factor-required"));
        return;
      }
      this.#apply("face", decision, now);
      return;
    }
    if (outcome.why === "cancelled") return;
    // Every failure ends in the same offer: card or PIN always works.
    const decision = this.#access.face(undefined, false, now, outcome.why);
    this.#record("face", { grant: false, reason: decision.grant ? "no-match" : decision.reason, resident: decision.resident }, now);
    this.#out.signal("denied");
    this.#out.prompt(promptFor(`face:${outcome.why}`));
  }

  /**
   * Withdrawal and consent confirmation at the keypad share one shape: the
   * consent core acts (or refuses), the gate shows a receipt or the reason.
   * Neither path opens the door or touches the camera.
   */
  #receiptEntry(via: "withdraw" | "consent", result: ReceiptResult | undefined, done: { reason: string; prompt: string }, now: number): void {
    if (!result) {
      this.#out.signal("denied");
      this.#out.prompt(promptFor(`${via}-unavailable`));
      return;
    }
    if (result.ok) {
      this.#record(via, { grant: false, reason: done.reason }, now);
      this.#out.signal("idle");
      this.#out.prompt(`${promptFor(done.prompt)} ${result.receipt}`);
    } else {
      this.#record(via, { grant: false, reason: result.reason }, now);
      this.#out.signal("denied");
      this.#out.prompt(promptFor(result.reason));
    }
  }

  #apply(via: Via, decision: AccessDecision, now: number): void {
    this.#record(via, decision, now);
    if (decision.grant) {
      this.#unlockedUntil = now + this.config.unlockMs;
      this.#out.unlock(this.config.unlockMs);
      this.#out.signal("granted");
    } else {
      this.#out.signal("denied");
    }
    this.#out.prompt(promptFor(decision.reason));
  }

  #record(via: Via, decision: AccessDecision, now: number): void {
    const entry: GateDecision = { time: now, via, grant: decision.grant, reason: decision.reason };
    if (decision.resident !== undefined) entry.resident = decision.resident;
    if (this.#recent.length >= RECENT) this.#recent.shift();
    this.#recent.push(entry);
    this.#onDecision?.(entry);
  }

  /** Drop any claim waiting for its PIN (a card's UID is overwritten). */
  #forgetCard(): void {
    this.#pendingCard?.fill(0);
    this.#pendingCard = undefined;
    this.#pendingFace = undefined;
  }

  #cancelFace(now: number): void {
    if (this.#face?.active) this.#face.cancel(now);
  }
}
