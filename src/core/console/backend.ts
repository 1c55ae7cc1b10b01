// What the console needs from the rest of the firmware: one method per
// operation. The console validates arguments, checks the login and audits;
// the backend enforces the domain's own rules (e.g. the last non-face
// credential) and throws OptgateError when it refuses. Times are ms since the
// Unix epoch (UTC); schedule times are minutes after midnight.
//
// Nothing returned here may carry a template, a frame, a key or a PIN hash:
// the views below have no field that could hold one.
import type { TimeZone } from "../time/posix-tz";

export type Role = "owner" | "renter" | "staff" | "visitor" | "courier";
export const ROLES: readonly Role[] = ["owner", "renter", "staff", "visitor", "courier"];

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A new resident; the gate assigns the id. Face is never enough: a card or a PIN is required. */
export interface ResidentInput {
  unit: string;
  role: Role;
  validFrom: number | null;
  validUntil: number | null;
  groups: string[];
  card: string | null;
  /** Typed hidden by the resident; never shown or stored in clear. */
  pin: string | null;
}

/** Fields left undefined stay as they are; null clears a validity bound. */
export interface ResidentPatch {
  unit?: string;
  role?: Role;
  validFrom?: number | null;
  validUntil?: number | null;
  groups?: string[];
}

export type FaceState = "none" | "consented" | "enrolled";

export interface ResidentView {
  id: string;
  unit: string;
  role: Role;
  status: "active" | "suspended";
  validFrom: number | null;
  validUntil: number | null;
  groups: string[];
  cards: string[];
  pin: boolean;
  /** What the gate knows of the PIN's strength; "short"/"weak" predate the PIN rules. */
  pinQuality?: "unknown" | "ok" | "short" | "weak";
  face: FaceState;
}

export interface ResidentFilter {
  role?: Role;
  unit?: string;
  group?: string;
  status?: "active" | "suspended";
}

/**
 * One page of residents in id order. A gate may hold 20,000 residents and the
 * board's JS heap is ~160 KB, so lists are always paged.
 */
export interface ResidentPage {
  residents: ResidentView[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface StatusView {
  door: string;
  reader: string;
  keypad: string;
  cameraPowered: boolean;
  storeUsedBytes: number;
  storeTotalBytes: number;
  clock: number;
  /** Where the time came from: rtc (kept through a power cut), technician (clock set), board. */
  clockSource?: string;
  /** Whether time-limited access is decided on this clock. */
  clockTrusted?: boolean;
  /** What the RTC said, or why the clock is not believed. */
  clockWhy?: string;
  /** Board clock minus RTC at the last comparison (ms). */
  clockDriftMs?: number;
  residents: number;
  consenting: number;
  /** The gate's face model (id, version, dimension; labelled when synthetic). */
  faceModel?: string;
  /** Store damage found at boot and a quarantined registry, one sentence each (absent or empty when none). */
  damage?: string[];
  /** Guessing at the keypad and the reader: throttle levels, waits, alarms raised. */
  guessing?: { keypad: ThrottleView; reader: ThrottleView; alarms: number; lastAlarm?: { source: string; at: number } };
}

export interface ThrottleView {
  score: number;
  waitMs: number;
  engaged: boolean;
}

export interface VisitorCodeView {
  /** The code the visitor types at the keypad (#<code>#); shown once, when issued. */
  code: string;
  host: string;
  validUntil: number;
  uses: number;
}

export interface NoticeView {
  version: number;
  purpose: string;
  method: string;
  scope: string[];
  retentionDays: number;
  issued: number;
}

export interface NoticeInput {
  purpose: string;
  method: string;
  scope: string[];
  retentionDays: number;
}

export type ConsentState = "none" | "active" | "withdrawn" | "lapsed";

/**
 * Consent a technician armed: the resident confirms it on the gate keypad
 * with their own PIN before expiresAt. Nothing is recorded until they do.
 */
export interface ConsentRequestView {
  resident: string;
  noticeVersion: number;
  /** The technician who saw the resident read the notice. */
  witness: string;
  armedAt: number;
  expiresAt: number;
  /** What the resident types, their PIN in place of <PIN>: "#8#42#<PIN>#". */
  keys: string;
  /** The same on a 4x4 keypad: "C42#<PIN>#". */
  keys4x4: string;
}

export interface ConsentView {
  resident: string;
  state: ConsentState;
  noticeVersion: number | null;
  /** Technician who witnessed the grant. */
  witness: string | null;
  grantedAt: number | null;
  endedAt: number | null;
  templateHeld: boolean;
  /** A request waiting for the resident's keypad confirmation, or null. */
  pending: ConsentRequestView | null;
}

/** Proof that something was destroyed, for the resident to keep. */
export interface ReceiptView {
  receipt: string;
  at: number;
  erased: string[];
}

export interface FaceEnrolView {
  resident: string;
  enrolledAt: number;
  noticeVersion: number;
}

export interface ScheduleView {
  name: string;
  days: Weekday[];
  from: number;
  to: number;
}

export interface GroupView {
  name: string;
  schedules: string[];
  members: number;
}

export interface HolidayView {
  date: number;
  name: string;
}

export interface LogEntryView {
  /** "access" (card, PIN, code, face, exit decisions) or "security" (everything else). */
  log: "access" | "security";
  seq: number;
  time: number;
  /** "tech1", "R00042", "keypad-1", "system". */
  actor: string;
  event: string;
  decision: string;
  reason: string;
  /** The resident it was done to ("R00042"), null when none. */
  subject: string | null;
  /** What changed ("lockout.keypad 5 -> 20"), "" when nothing more is said. */
  detail: string;
}

export interface BreakView {
  log: "access" | "security";
  seq: number;
  /** malformed, seq (a number missing or out of order), link (a record changed), head, truncated (the end cut off). */
  problem: string;
  acknowledged: boolean;
}

export interface LogVerifyView {
  /** True when no break is open (acknowledged ones are still listed). */
  ok: boolean;
  entries: number;
  logs: { access: { entries: number; head: number }; security: { entries: number; head: number } };
  breaks: BreakView[];
}

/**
 * Records exactly as chained, one chain at a time: `anchor` is what the
 * oldest record follows and `head` the newest (seq and chain hash in hex);
 * each record is its stored bytes in hex. The last page carries the gate's
 * signed head over the whole window, which a host tool checks and keeps.
 */
export interface LogExportView {
  log: "access" | "security";
  anchor: { seq: number; hash: string };
  head: { seq: number; hash: string };
  records: string[];
  next: number | null;
  /** On the last page: the signed head (hex fields) and the gate's public key. */
  signed?: { gateId: number; digest: string; time: number; signature: string; publicKey: string };
}

export interface ConfigEntry {
  key: string;
  value: string | number | boolean;
  doc: string;
}

export interface DiagResult {
  test: string;
  ok: boolean;
  detail: string;
}

export type DiagTarget = "reader" | "keypad" | "relay" | "store" | "all";
export const DIAG_TARGETS: readonly DiagTarget[] = ["reader", "keypad", "relay", "store", "all"];

/** The fleet hub this gate syncs with (docs/sync.md), as `hub show` prints it. */
export interface HubView {
  /** Readable hub settings are stored: the gate links to this hub. */
  enabled: boolean;
  host: string | null;
  port: number | null;
  compound: number | null;
  /** The hub keys trusted, slot 1 and 2: the key's first 8 bytes in hex, and the key id (first 8 bytes of its SHA-256) the hub's messages name. */
  keys: { slot: number; fingerprint: string; keyId: string }[];
  gateId: number;
  /** This gate's audit signing key, in full hex: the hub's addGate needs it. Null where the gate keeps no audit store. */
  gateKey: string | null;
  /** This gate's X25519 seal key in full hex (codes issued at the hub are sealed to it; addGate's sealKey). Null as gateKey. */
  sealKey: string | null;
  /** A broker password is stored (never the password itself). */
  password: boolean;
  /** How the link reaches the broker: tls checks the broker's certificate against `ca`. Null while the transport record is damaged. */
  transport: "tcp" | "tls" | null;
  /** The CA the broker's certificate must chain to: SHA-256 of its DER (hex) and its validity (ms); null when none is set. */
  ca: { fingerprint: string; notBefore: number; notAfter: number } | null;
  /** The link's state as the firmware reports it ("not connected" without a link). */
  link: string;
  /** Why stored hub settings cannot be read, else null. */
  damage: string | null;
}

/** The Wi-Fi network the gate reaches the broker through; never its password. */
export interface WifiView {
  enabled: boolean;
  ssid: string | null;
  /** True for an open network (no password), null when none is set. */
  open: boolean | null;
  damage: string | null;
}

/** The compound PIN key as `pin key` shows it: its fingerprint and id, never the key. */
export interface PinKeyView {
  installed: boolean;
  fingerprint: string | null;
  /** The id verifiers carry (8 hex digits). */
  keyId: string | null;
  /** The compound the hub settings name (what a sealed key is opened for). */
  compound: number | null;
  /** PIN verifiers held, by the key they were made under. */
  pins: { device: number; compound: number; other: number };
  damage: string | null;
}

/** The compound PIN key (docs/secrets.md): status, and installing it sealed to this gate. */
export interface PinKeyConsole {
  show(): PinKeyView;
  /** `sealed`: base64 of the key sealed to this gate and compound (tools/optgate pin-key). */
  install(actor: string, sealed: string): PinKeyView;
}

/**
 * Hub and Wi-Fi settings (installer only, except the views). Each change is
 * checked, stored, audited without its secrets, and the firmware's link is
 * told so it restarts with them.
 */
export interface FleetConsole {
  hubShow(): HubView;
  /** `key` (64 hex) is required while no hub key is stored. */
  hubSet(actor: string, host: string, port: number, compound: number, key: string | undefined): HubView;
  hubKeyAdd(actor: string, key: string): HubView;
  hubKeyRemove(actor: string, slot: number): HubView;
  /** Deletes the hub settings: the gate leaves the fleet. */
  hubOff(actor: string): HubView;
  /** Refuses a bad broker password before anything is stored (the console asks first). */
  hubPasswordCheck(password: string): void;
  /** The broker password arrives only here, typed hidden; stored sealed, never shown or audited. Empty: none. */
  hubPassword(actor: string, password: string): HubView;
  /** tls needs a CA (hub ca) before the link starts; tcp sends everything, the broker password too, in clear. */
  hubTransport(actor: string, transport: "tcp" | "tls"): HubView;
  /** The CA certificate as pasted (PEM, or DER in base64); checked (E_BAD_CA) before it is stored. Undefined removes it. */
  hubCa(actor: string, text: string | undefined): HubView;
  wifiShow(): WifiView;
  /** Refuses a bad SSID, and a bad password once given, before anything is stored (the console asks first). */
  wifiCheck(ssid: string, password?: string): void;
  /** The password arrives only here, typed hidden; it is stored sealed and never shown or audited. */
  wifiSet(actor: string, ssid: string, password: string): WifiView;
  wifiOff(actor: string): WifiView;
}

export interface ConsoleBackend {
  status(): StatusView;
  /** The gate's zone: typed dates are local days in it, and validity prints in it. */
  timeZone(): TimeZone;
  /** Trusts a quarantined registry again as it now stands (stored as a new generation); the damage text, or null if none. */
  registryClearDamage(): { cleared: string | null };
  /** Acknowledges a persisted damage note (a replaced PIN key) once its consequences are handled; what was cleared. */
  damageClear?(): { cleared: string[] };
  /** Installation mode (no technician account yet): starts the physical step at the gate. */
  installStart?(): { holdSeconds: number; windowSeconds: number };
  /** Installation mode: throws unless the physical step was done in time (single use). */
  installConfirm?(): void;

  residentAdd(actor: string, input: ResidentInput): ResidentView;
  residentShow(id: string): ResidentView;
  residentList(filter: ResidentFilter, after: string | undefined, limit: number): ResidentPage;
  residentEdit(actor: string, id: string, patch: ResidentPatch): ResidentView;
  residentSuspend(actor: string, id: string, suspended: boolean): ResidentView;
  /** Removes the resident with every credential; face data is erased, with a receipt. */
  residentRemove(actor: string, id: string): ReceiptView;

  cardAdd(actor: string, resident: string, uid: string): ResidentView;
  cardRemove(actor: string, uid: string): ResidentView;

  /** The PIN arrives only here, typed hidden; it is never shown or stored in clear. */
  pinSet(actor: string, resident: string, pin: string): ResidentView;
  /** Clears a forgotten or exposed PIN (refused if it is the last non-face credential). */
  pinReset(actor: string, resident: string): ResidentView;

  visitorIssue(actor: string, host: string, validUntil: number, uses: number): VisitorCodeView;
  visitorRevoke(actor: string, code: string): { host: string };

  consentShow(resident: string): ConsentView;
  /**
   * Arms a consent request to notice `noticeVersion` (the one the technician
   * showed; refused if another is published now), witnessed by `actor`. Consent
   * is recorded only when the resident confirms on the keypad with their own
   * PIN; the PIN never passes through the console.
   */
  consentRequest(actor: string, resident: string, noticeVersion: number): ConsentRequestView;
  /** Withdraws a waiting consent request. */
  consentCancel(actor: string, resident: string): ConsentRequestView;
  consentWithdraw(actor: string, resident: string): ReceiptView;

  faceEnrol(actor: string, resident: string): FaceEnrolView;
  faceDelete(actor: string, resident: string): ReceiptView;

  groupAdd(actor: string, name: string, schedules: string[]): GroupView;
  groupRemove(actor: string, name: string): GroupView;
  groupList(): GroupView[];
  scheduleSet(actor: string, schedule: ScheduleView): ScheduleView;
  scheduleRemove(actor: string, name: string): ScheduleView;
  scheduleList(): ScheduleView[];
  holidayAdd(actor: string, holiday: HolidayView): HolidayView;
  holidayRemove(actor: string, date: number): HolidayView;
  holidayList(): HolidayView[];

  logShow(last: number, actor: string | undefined, log?: "access" | "security"): LogEntryView[];
  logVerify(): LogVerifyView;
  logExport(log: "access" | "security", from: number, limit: number): LogExportView;
  /** A technician has seen a break: it stays listed, no longer open. */
  logAcknowledge(actor: string, log: "access" | "security", seq: number): BreakView;

  configGet(key: string | undefined): ConfigEntry[];
  configSet(actor: string, key: string, value: string): ConfigEntry;

  doorOpen(actor: string, seconds: number): { seconds: number };
  clockSet(actor: string, time: number): { before: number; after: number };
  /** When `time` is more than a day from what the gate believes: from where and by how much (the console asks first). */
  clockJump(time: number): { from: number; ms: number } | undefined;
  /** The time is right: retention sweeps held after a clock jump run again. */
  clockConfirm(actor: string): { held: string | null };
  diag(target: DiagTarget): DiagResult[];

  noticeShow(version: number | undefined): NoticeView;
  noticeSet(actor: string, notice: NoticeInput): NoticeView;

  /** Everything held about one resident (the subject report), no biometric bytes. */
  report(resident: string): Record<string, unknown>;

  /** Hub and Wi-Fi settings; absent on a gate without a fleet link. */
  readonly fleet?: FleetConsole;
  /** The compound PIN key; absent where there is no store to keep it. */
  readonly pinKey?: PinKeyConsole;
}
