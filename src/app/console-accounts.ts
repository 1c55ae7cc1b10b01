// Technician accounts as the console backend keeps them (sealed store records,
// or memory on a board without a store), the names the audit log shows for
// technician numbers, and how console actions become audit records.
import { parseResidentId } from "../core/access/types";
import type { AuditJournal } from "../core/audit/audit-log";
import { AUDIT_KINDS, auditSubject, type AuditKind } from "../core/audit/audit-record";
import type { ConsoleAuditEvent } from "../core/console/audit-sink";
import { ROLES, type Role } from "../core/console/roles";
import type { TechnicianRecord } from "../core/console/technicians";
import { sha256, utf8 } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { Clock } from "../core/ports";
import type { SettingsStore } from "./console-settings";

const TECH_KEY = "console/tech/";

/** Console actions → audit record kinds; the record's detail says what changed. Reads are not listed. */
const AUDIT_KIND: Record<string, AuditKind> = {
  "resident add": "resident-added", "resident edit": "resident-updated", "resident suspend": "resident-updated",
  "resident resume": "resident-updated", "resident remove": "resident-removed", "card add": "card-added", "card remove": "card-removed",
  "registry clear-damage": "registry-restored", "pin set": "pin-set", "pin reset": "pin-cleared", "visitor issue": "code-issued", "visitor revoke": "code-revoked",
  "consent grant": "consent-requested", "consent cancel": "consent-request-cancelled", "consent withdraw": "consent-withdrawn", "face enrol": "face-enrolled", "face delete": "face-erased",
  "clock set": "clock-set", "clock confirm": "clock-confirmed", "door open": "exit", "config set": "setting-changed",
  "group add": "policy-changed", "group remove": "policy-changed", "schedule set": "policy-changed", "schedule remove": "policy-changed",
  "holiday add": "policy-changed", "holiday remove": "policy-changed", "notice set": "notice-published",
  "tech add": "technician-added", "tech remove": "technician-removed", "tech passwd": "technician-password-set", "passwd": "technician-password-set",
  "install": "technician-installed", "damage clear": "damage-cleared",
  "hub set": "setting-changed", "hub key add": "setting-changed", "hub key remove": "setting-changed", "hub off": "setting-changed", "hub password": "setting-changed",
  "hub transport": "setting-changed", "hub ca": "setting-changed",
  "wifi set": "setting-changed", "wifi off": "setting-changed", "pin key install": "setting-changed",
};

/** Technician ids are names; the audit record holds a number, the same for the same name. */
export function technicianNumber(id: string): number {
  const h = sha256(utf8(id));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/** Refused pre-login commands are recorded at most once per this span, with how many. */
const REFUSED_SPAN_MS = 60_000;

export class ConsoleAccounts {
  readonly #store: SettingsStore | undefined;
  readonly #audit: AuditJournal;
  #explanation: string | undefined;
  #refused = 0;
  #refusedSince = -Infinity;
  readonly #clock: Clock;
  readonly #names = new Map<number, string>();
  readonly #memoryTechs = new Map<string, TechnicianRecord>();
  #scannedNames = false;

  constructor(store: SettingsStore | undefined, audit: AuditJournal, clock: Clock) {
    this.#store = store;
    this.#audit = audit;
    this.#clock = clock;
  }

  /**
   * The account for `id`. An unknown id costs what a known one does: some
   * stored account is opened (decrypted) all the same and then set aside, so
   * a failed login does not tell by its cost whether the id exists.
   */
  find(id: string): TechnicianRecord | undefined {
    const store = this.#store;
    if (store) {
      const key = TECH_KEY + id;
      // A store that cannot list keys is read directly (no decoy to open).
      const keys = store.keys ? store.keys(TECH_KEY) : [key];
      const known = keys.includes(key);
      if (!known) {
        try { store.get(keys.length > 0 ? keys[0] : key); } catch { /* only its cost matters */ }
      } else {
        const record = decodeTechnician(id, store.get(key));
        if (record) return record;
      }
    }
    return this.#memoryTechs.get(id);
  }

  /** True while any technician account exists (installation mode is closed). */
  any(): boolean {
    if (this.#memoryTechs.size > 0) return true;
    // Only an account that can be read counts: one lost to flash damage cannot log in.
    return (this.#store?.keys?.(TECH_KEY) ?? []).some((key) => this.#readable(key.slice(TECH_KEY.length)));
  }

  /** Ids of stored accounts that cannot be read. */
  unreadable(): string[] {
    return (this.#store?.keys?.(TECH_KEY) ?? []).map((key) => key.slice(TECH_KEY.length)).filter((id) => !this.#readable(id));
  }

  #readable(id: string): boolean {
    try {
      return this.find(id) !== undefined;
    } catch {
      return false;
    }
  }

  save(record: TechnicianRecord): void {
    this.#names.set(technicianNumber(record.id), record.id);
    if (!this.#store) {
      this.#memoryTechs.set(record.id, record);
      return;
    }
    const bytes = new Uint8Array(49);
    bytes.set(record.salt.subarray(0, 16));
    bytes.set(record.hash.subarray(0, 32), 16);
    bytes[48] = ROLES.indexOf(record.role);
    this.#store.put(TECH_KEY + record.id, bytes, { sealed: true });
  }

  remove(id: string): void {
    this.#memoryTechs.delete(id);
    if (this.#store?.get(TECH_KEY + id) === undefined) return;
    if (!this.#store.delete) throw new OptgateError("E_UNSUPPORTED", "This gate's store cannot remove accounts.");
    this.#store.delete(TECH_KEY + id);
  }

  /** Readable accounts with their roles (never their hashes). */
  list(): { id: string; role: Role }[] {
    const out = [...this.#memoryTechs.values()].map(({ id, role }) => ({ id, role }));
    for (const key of this.#store?.keys?.(TECH_KEY) ?? []) {
      const id = key.slice(TECH_KEY.length);
      try {
        const record = decodeTechnician(id, this.#store?.get(key));
        if (record) out.push({ id, role: record.role });
      } catch { /* unreadable: listed by unreadable() */ }
    }
    return out;
  }

  /** Names for technician numbers: seen since boot, else any account in the store. */
  name(n: number): string {
    const known = this.#names.get(n);
    if (known !== undefined || this.#scannedNames) return known ?? `tech#${n}`;
    this.#scannedNames = true;
    for (const key of this.#store?.keys?.(TECH_KEY) ?? []) {
      const id = key.slice(TECH_KEY.length);
      this.#names.set(technicianNumber(id), id);
    }
    return this.#names.get(n) ?? `tech#${n}`;
  }

  /** What the command now running changed ("lockout.keypad 5 -> 20"): the detail of its audit record. */
  explain(text: string): void {
    this.#explanation = text;
  }

  /**
   * A command refused before login (not logged in, unknown): counted, and
   * recorded in aggregate, one record per minute at most with how many
   * (actor = the count), so a script typing at the console cannot flood the log.
   */
  refused(): void {
    const now = this.#clock.now();
    this.#refused++;
    if (Math.abs(now - this.#refusedSince) < REFUSED_SPAN_MS) return;
    this.#flushRefused(now);
  }

  #flushRefused(now: number): void {
    if (this.#refused === 0) return;
    const n = this.#refused;
    this.#refused = 0;
    this.#refusedSince = now;
    this.#audit.append({ time: now, actorKind: "none", actor: n, kind: "console-refused", decision: "deny", reason: "bad-input", detail: `${n} command(s) refused before login` });
  }

  /** One console action as an audit record (reads and unknown actions record nothing). */
  record(event: ConsoleAuditEvent): void {
    const explanation = this.#explanation;
    this.#explanation = undefined;
    const tech = event.actor === "-" ? event.subject : event.actor;
    const number = technicianNumber(tech);
    // Only real accounts get a name: ids typed in failed logins must not grow memory.
    if (event.actor !== "-") this.#names.set(number, tech);
    let kind: AuditKind | undefined = AUDIT_KIND[event.action];
    if (event.action === "login") {
      kind = event.outcome === "ok" ? "technician-login" : "technician-login-failed";
      this.#flushRefused(this.#clock.now());
    }
    if (!kind || !AUDIT_KINDS.includes(kind)) return;
    const ok = event.outcome === "ok";
    this.#audit.append({
      time: this.#clock.now(), actorKind: "technician", actor: number, kind,
      decision: event.action === "door open" && ok ? "grant" : ok ? "info" : "deny",
      reason: event.action === "door open" && ok ? "granted" : ok ? "info" : "bad-input",
      // Who it was done to; a refusal naming no real resident id records none.
      subject: event.resident === undefined ? 0 : auditSubject(residentNumber(event.resident)),
      detail: ok ? explanation ?? describe(event) : `${event.outcome} ${describe(event)}`,
    });
  }
}

/** A record's detail from the command's subject and its non-secret arguments. */
function describe(event: ConsoleAuditEvent): string {
  return [event.action === "login" ? "" : event.subject, event.detail].filter((s) => s !== "").join(" ");
}

/** 48 bytes (salt, hash) from before roles: an installer; 49 bytes: the role's index last. */
function decodeTechnician(id: string, bytes: Uint8Array | undefined): TechnicianRecord | undefined {
  if (!bytes || (bytes.length !== 48 && bytes.length !== 49)) return undefined;
  const role = bytes.length === 48 ? "installer" : ROLES[bytes[48]];
  if (role === undefined) return undefined;
  return { id, salt: bytes.slice(0, 16), hash: bytes.slice(16, 48), role };
}

/** The number in a resident id as typed ("R00042", "42"); 0 when it is not one. */
function residentNumber(text: string): number {
  try {
    return parseResidentId(text);
  } catch {
    return 0;
  }
}
