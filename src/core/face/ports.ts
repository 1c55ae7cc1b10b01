// The small interfaces the face lifecycle needs from the rest of the gate.
// The access core (registry, PIN verification, audit log) satisfies them; the
// lead wires them. Keeping them here lets face code and its tests stand alone.
import type { LivenessSetting } from "../ports";

/** Checks a resident's PIN (salted keyed hash, attempt limits) without revealing anything else. */
export interface PinCheck {
  verify(residentId: string, pin: string): boolean;
}

/** Whether a resident exists in the registry (consent is only for known residents). */
export interface ResidentLookup {
  exists(residentId: string): boolean;
}

export type FaceAuditKind =
  | "consent.granted"
  | "consent.withdrawn"
  | "consent.lapsed"
  | "face.enrolled"
  | "face.withdrawn"
  | "face.expired"
  | "face.inactive"
  /** Face entry at a gate suspended after too many failed matches (channel = the gate). */
  | "face.locked-out"
  /** The camera went off at the end of a face session, whatever ended it (cameraMs = how long it was on). */
  | "camera.off";

/** One audit entry: pseudonymous ids and codes only, never images, templates, keys or PINs. */
export interface FaceAuditEvent {
  at: number;
  kind: FaceAuditKind;
  residentId: string;
  noticeVersion?: number;
  actorId?: string;
  channel?: string;
  receipt?: string;
  /** "camera.off": ms the camera was powered in that session. */
  cameraMs?: number;
}

/** The hash-chained audit log as the face lifecycle sees it. */
export interface AuditSink {
  append(event: FaceAuditEvent): void;
}

/** A non-biometric credential, described without its secret (no PIN hash, no full card UID). */
export interface CredentialSummary {
  type: string;
  label: string;
  active: boolean;
}

/** Credentials the registry holds for a resident, for the subject report. */
export interface CredentialSource {
  credentialsOf(residentId: string): CredentialSummary[];
}

/** A past access decision about a resident, for the subject report. */
export interface DecisionSummary {
  at: number;
  gateId: string;
  mode: string;
  granted: boolean;
  reason: string;
}

/** Recent decisions from the audit log, newest last. */
export interface DecisionSource {
  recentDecisions(residentId: string, limit: number): DecisionSummary[];
}

/** What one gate allows for face, from its policy. */
export interface FaceGatePolicy {
  gateId: string;
  /** Face is an accepted mode at this gate at all. */
  face: boolean;
  /** 1:N identification (no card/PIN claim first) is allowed here. */
  oneToN: boolean;
  /** Presentation-attack check the face model runs on every frame ("off" when absent). */
  liveness?: LivenessSetting;
}
