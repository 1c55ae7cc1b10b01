// The technician console's backend over the real core (GateCore): registry,
// access policy, audit log, consent ledger, face gallery, notices. Each concern
// beyond residents and credentials has its own module (console-policy.ts:
// groups, schedules, holidays and config compiled into the gate policy;
// console-consent.ts, console-clock.ts, console-log.ts, console-accounts.ts).
//
//   const backend = new CoreConsoleBackend({ core, clock, random, settings: store, hooks: { openDoor, setClock } });
//   new Console({ port, clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians });
import { formatResidentId, parseResidentId, type ResidentId } from "../core/access/types";
import type { TimeZone } from "../core/time/posix-tz";
import { KEYPAD_ID } from "./gate-adapters";
import type { ClockReport } from "./clock-source";
import type { ConsoleAuditSink } from "../core/console/audit-sink";
import type {
  BreakView, ConfigEntry, ConsentRequestView, ConsentView, ConsoleBackend, DiagResult, DiagTarget, FaceEnrolView, GroupView, HolidayView, LogEntryView,
  LogExportView, LogVerifyView, NoticeInput, NoticeView, ReceiptView, ResidentFilter, ResidentInput, ResidentPage, ResidentPatch, ResidentView,
  Role, ScheduleView, StatusView, VisitorCodeView,
} from "../core/console/backend";
import type { TechnicianDirectory } from "../core/console/technicians";
import { fromHex, toHex } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { Clock, Random } from "../core/ports";
import { ConsoleAccounts, technicianNumber } from "./console-accounts";
import { ConsoleLog } from "./console-log";
import { ConsoleClock } from "./console-clock";
import { ConsoleConsent } from "./console-consent";
import { ConsoleFleet, type FleetHooks } from "./console-fleet";
import { ConsolePinKey } from "./console-pin-key";
import { ConsolePolicy } from "./console-policy";
import type { HubPolicyPort } from "./sync-persistence";
import { residentReport } from "./console-report";
import type { AuditStore } from "./audit-store";
import { DEFAULT_GROUP, type SettingsStore } from "./console-settings";
import type { GateCore } from "./core";
import type { Watermarks } from "./watermarks";

export type { SettingsStore } from "./console-settings";
export { technicianNumber } from "./console-accounts";
export { pinLabel } from "./console-report";

/** What only the board can do; a missing hook makes its command refuse clearly. The fleet link's hooks: console-fleet.ts. */
export interface ConsoleHooks extends FleetHooks {
  openDoor?(seconds: number, now: number): void;
  setClock?(time: number): void;
  /** Where the clock's time came from and what the RTC said (status). */
  clock?(): ClockReport;
  peripherals?(): { door: string; reader: string; keypad: string; cameraPowered: boolean };
  storage?(): { usedBytes: number; totalBytes: number; damage?: string[] };
  diag?(target: DiagTarget): DiagResult[];
  /** Installation mode's physical step (src/app/installation.ts). */
  installation?: { start(): { holdSeconds: number; windowSeconds: number }; confirm(): void };
  /** Clears persisted damage notes; what was cleared. */
  damageClear?(): string[];
}

export interface CoreConsoleBackendOptions {
  core: GateCore;
  clock: Clock;
  random: Random;
  settings?: SettingsStore;
  /** The store lost the newest settings record (its key is known): an older copy must not come back. */
  settingsLost?: boolean;
  /** Marks outside the store that show settings rolled back by damage. */
  watermarks?: Watermarks;
  hooks?: ConsoleHooks;
  /** The audit trail on flash: remembered breaks, signed heads (a gate has one; RAM-only cores do not). */
  auditStore?: AuditStore;
  /** The compound PIN key as loaded at boot (compound-pin-key.ts), its DAMAGE line, and who to tell on install. */
  pinKey?: { key?: Uint8Array; damage?: () => string | undefined; onInstalled?: () => void };
}


export class CoreConsoleBackend implements ConsoleBackend {
  readonly audit: ConsoleAuditSink;
  readonly technicians: TechnicianDirectory;
  /** Hub and Wi-Fi settings; only where there is a store to keep them. */
  readonly fleet: ConsoleFleet | undefined;
  /** The compound PIN key; only where there is a store to keep it. */
  readonly pinKey: ConsolePinKey | undefined;
  readonly #core: GateCore;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #hooks: ConsoleHooks;
  readonly #accounts: ConsoleAccounts;
  readonly #log: ConsoleLog;
  readonly #clockCommands: ConsoleClock;
  readonly #policy: ConsolePolicy;
  readonly #consent: ConsoleConsent;

  constructor(o: CoreConsoleBackendOptions) {
    this.#core = o.core;
    this.#clock = o.clock;
    this.#random = o.random;
    this.#hooks = o.hooks ?? {};
    const accounts = new ConsoleAccounts(o.settings, this.#core.audit, this.#clock);
    this.#accounts = accounts;
    this.#policy = new ConsolePolicy(this.#core, o.settings, o.settingsLost === true, o.watermarks, accounts);
    this.audit = { record: (event) => accounts.record(event), refused: () => accounts.refused() };
    this.#clockCommands = new ConsoleClock(this.#core, this.#clock, accounts, this.#hooks);
    this.#log = new ConsoleLog(this.#core.audit, o.auditStore, (kind, n) => this.#actorName(kind, n));
    this.#consent = new ConsoleConsent(this.#core, this.#clock, (id) => this.#resident(id), () => this.#receipt());
    const auditStore = o.auditStore;
    const gate = { id: this.#core.access.policy.gateId, publicKey: auditStore ? () => auditStore.publicKey : undefined, sealKey: () => auditStore?.sealKeys?.publicKey };
    this.fleet = o.settings ? new ConsoleFleet(o.settings, accounts, gate, this.#hooks) : undefined;
    const core = this.#core;
    this.pinKey = o.settings ? new ConsolePinKey(o.settings, {
      id: gate.id, registry: () => core.registry, sealKeys: () => auditStore?.sealKeys, damage: o.pinKey?.damage, onInstalled: o.pinKey?.onInstalled,
      explain: (detail) => accounts.explain(detail),
    }, o.pinKey?.key) : undefined;
    this.technicians = { find: (id) => accounts.find(id), save: (record) => accounts.save(record), remove: (id) => accounts.remove(id), list: () => accounts.list() };
  }

  /** Why the stored settings could not be used (the fail-safe policy is in force), else undefined. */
  get settingsDamage(): string | undefined {
    return this.#policy.damage;
  }

  // ---- status ----

  status(): StatusView {
    const now = this.#clock.now();
    const p = this.#hooks.peripherals?.() ?? { door: "unknown", reader: "unknown", keypad: "unknown", cameraPowered: false };
    const s = this.#hooks.storage?.() ?? { usedBytes: this.#core.registry.byteLength + this.#core.audit.byteLength, totalBytes: 0 };
    return {
      door: this.#core.gate.unlocked ? "unlocked" : p.door, reader: p.reader, keypad: p.keypad, cameraPowered: p.cameraPowered,
      storeUsedBytes: s.usedBytes, storeTotalBytes: s.totalBytes, clock: now, ...this.#clockCommands.status(now),
      residents: this.#core.registry.size, consenting: this.#core.ledger.consenting().length, faceModel: this.#core.faceModel,
      guessing: this.#core.access.guessing(now, KEYPAD_ID),
      damage: [
        ...(s.damage ?? []),
        ...(this.#core.registry.damage === undefined ? [] : [`registry quarantined (${this.#core.registry.damage}): every credential denied`]),
        ...(this.settingsDamage === undefined ? [] : [this.settingsDamage]),
        ...(this.#core.livenessDamage === undefined ? [] : [this.#core.livenessDamage]),
        ...this.#log.openBreaks().map((b) => `audit chain break at ${b.log === "access" ? "A" : "S"}${b.seq} (${b.problem}): see log verify; log acknowledge after looking`),
        ...(this.#core.sweepHold === undefined ? [] : [`${this.#core.sweepHold}: retention sweeps held; check the time, then: clock confirm`]),
      ],
    };
  }

  damageClear(): { cleared: string[] } {
    return { cleared: this.#hooks.damageClear?.() ?? [] };
  }

  installStart(): { holdSeconds: number; windowSeconds: number } {
    return this.#installation().start();
  }

  installConfirm(): void {
    this.#installation().confirm();
  }

  #installation(): NonNullable<ConsoleHooks["installation"]> {
    if (!this.#hooks.installation) throw new OptgateError("E_UNSUPPORTED", "This gate has no installation mode.");
    return this.#hooks.installation;
  }

  /** True while a technician account exists (installation mode closed). */
  hasTechnician(): boolean {
    return this.#accounts.any();
  }

  /** Technician ids whose stored account cannot be read (flash damage). */
  unreadableTechnicians(): string[] {
    return this.#accounts.unreadable();
  }

  registryClearDamage(): { cleared: string | null } {
    const damage = this.#core.registry.damage ?? null;
    this.#core.registry.clearDamage();
    return { cleared: damage };
  }

  timeZone(): TimeZone {
    return this.#core.access.policy.zone;
  }

  // ---- residents ----

  residentAdd(_actor: string, input: ResidentInput): ResidentView {
    requireEnd(input.role, input.validUntil);
    const groups = this.#policy.mask(input.groups.length ? input.groups : [DEFAULT_GROUP]);
    const id = this.#core.registry.addResident({
      unit: input.unit, role: input.role, groups,
      validFrom: input.validFrom ?? undefined, validUntil: input.validUntil ?? undefined,
      cards: input.card ? [fromHex(input.card)] : [], pin: input.pin ?? undefined,
    });
    return this.#view(id);
  }

  residentShow(id: string): ResidentView {
    return this.#view(this.#resident(id));
  }

  residentList(f: ResidentFilter, after: string | undefined, limit: number): ResidentPage {
    const registry = this.#core.registry;
    const bit = f.group === undefined ? undefined : this.#policy.groupBit(f.group);
    const start = after === undefined ? 0 : parseResidentId(after);
    // Sorted ids as a typed array: no object per resident, whatever the gate holds.
    const ids = registry.residents.ids.slice(0, registry.size).sort();
    const residents: ResidentView[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] <= start) continue;
      const v = registry.get(ids[i])!;
      if ((f.role && v.role !== f.role) || (f.unit && v.unit !== f.unit) || (f.status && v.status !== f.status)) continue;
      if (bit !== undefined && (v.groups & (1 << bit)) === 0) continue;
      if (residents.length === limit) return { residents, next: residents[limit - 1].id };
      residents.push(this.#view(ids[i]));
    }
    return { residents, next: null };
  }

  residentEdit(_actor: string, id: string, patch: ResidentPatch): ResidentView {
    const n = this.#resident(id);
    const before = this.#view(n);
    requireEnd(patch.role ?? before.role, patch.validUntil === undefined ? before.validUntil : patch.validUntil);
    this.#core.registry.updateResident(n, {
      unit: patch.unit, role: patch.role, validFrom: patch.validFrom, validUntil: patch.validUntil,
      groups: patch.groups === undefined ? undefined : this.#policy.mask(patch.groups),
    });
    return this.#view(n);
  }

  residentSuspend(_actor: string, id: string, suspended: boolean): ResidentView {
    const n = this.#resident(id);
    this.#core.registry.updateResident(n, { status: suspended ? "suspended" : "active" });
    return this.#view(n);
  }

  residentRemove(actor: string, id: string): ReceiptView {
    const n = this.#resident(id);
    const label = formatResidentId(n);
    const erased: string[] = [];
    // Face data goes first and for certain: consent ended, template and key destroyed.
    if (this.#core.ledger.isActive(label)) {
      const receipt = this.#core.withdrawal.fromConsole({ residentId: label, technicianId: actor, at: this.#clock.now() });
      if (receipt.templateDestroyed) erased.push("face template", "template key");
      erased.push("face consent");
    } else if (this.#core.gallery.remove(label)) {
      erased.push("face template", "template key");
    }
    this.#core.registry.removeResident(n);
    erased.push("cards", "PIN", "codes");
    return { receipt: this.#receipt(), at: this.#clock.now(), erased };
  }

  // ---- credentials ----

  cardAdd(_actor: string, resident: string, uid: string): ResidentView {
    const n = this.#resident(resident);
    this.#core.registry.addCard(n, fromHex(uid));
    return this.#view(n);
  }

  cardRemove(_actor: string, uid: string): ResidentView {
    const owner = this.#core.registry.findCard(fromHex(uid));
    if (owner === undefined) throw new OptgateError("E_UNKNOWN_CARD", `No resident holds card ${uid}.`);
    this.#core.registry.removeCard(fromHex(uid));
    return this.#view(owner);
  }

  pinSet(_actor: string, resident: string, pin: string): ResidentView {
    const n = this.#resident(resident);
    this.#core.registry.setPin(n, pin);
    return this.#view(n);
  }

  pinReset(_actor: string, resident: string): ResidentView {
    const n = this.#resident(resident);
    this.#core.registry.clearPin(n);
    return this.#view(n);
  }

  visitorIssue(_actor: string, host: string, validUntil: number, uses: number): VisitorCodeView {
    const n = this.#resident(host);
    const bytes = new Uint8Array(4);
    for (let attempt = 0; ; attempt++) {
      this.#random.fill(bytes);
      const value = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
      const code = String(10_000_000 + (value % 90_000_000)); // 8 digits, never a leading zero
      try {
        this.#core.registry.issueCode(n, { code, validUntil, uses });
        return { code, host: formatResidentId(n), validUntil, uses };
      } catch (error) {
        if (!(error instanceof OptgateError && error.code === "E_DUPLICATE_CODE") || attempt >= 4) throw error;
      }
    }
  }

  visitorRevoke(_actor: string, code: string): { host: string } {
    const entry = this.#core.registry.findCode(code);
    if (!entry) throw new OptgateError("E_UNKNOWN_CODE", "No such visitor code.");
    this.#core.registry.revokeCode(code);
    return { host: formatResidentId(entry.resident) };
  }

  // ---- consent and face ----

  consentShow(resident: string): ConsentView {
    return this.#consent.show(resident);
  }

  consentRequest(actor: string, resident: string, noticeVersion: number): ConsentRequestView {
    return this.#consent.request(actor, resident, noticeVersion);
  }

  consentCancel(_actor: string, resident: string): ConsentRequestView {
    return this.#consent.cancel(resident);
  }

  consentWithdraw(actor: string, resident: string): ReceiptView {
    return this.#consent.withdraw(actor, resident);
  }

  faceEnrol(_actor: string, resident: string): FaceEnrolView {
    return this.#consent.faceEnrol(resident);
  }

  faceDelete(_actor: string, resident: string): ReceiptView {
    return this.#consent.faceDelete(resident);
  }

  noticeShow(version: number | undefined): NoticeView {
    return this.#consent.noticeShow(version);
  }

  noticeSet(_actor: string, n: NoticeInput): NoticeView {
    return this.#consent.noticeSet(n);
  }

  report(resident: string): Record<string, unknown> {
    return residentReport(this.#core, this.#resident(resident), this.timeZone(), this.#clock.now());
  }


  // ---- groups, schedules, holidays (compiled into the gate policy) ----

  groupAdd(_actor: string, name: string, schedules: string[]): GroupView {
    return this.#policy.groupAdd(name, schedules);
  }

  groupRemove(_actor: string, name: string): GroupView {
    return this.#policy.groupRemove(name);
  }

  groupList(): GroupView[] {
    return this.#policy.groupList();
  }

  scheduleSet(_actor: string, s: ScheduleView): ScheduleView {
    return this.#policy.scheduleSet(s);
  }

  scheduleRemove(_actor: string, name: string): ScheduleView {
    return this.#policy.scheduleRemove(name);
  }

  scheduleList(): ScheduleView[] {
    return this.#policy.scheduleList();
  }

  holidayAdd(_actor: string, h: HolidayView): HolidayView {
    return this.#policy.holidayAdd(h);
  }

  holidayRemove(_actor: string, date: number): HolidayView {
    return this.#policy.holidayRemove(date);
  }

  holidayList(): HolidayView[] {
    return this.#policy.holidayList();
  }

  /** Where a hub change set's schedules and holidays go (sync-persistence.ts): checked and stored as the console's own. */
  readonly hubPolicy: HubPolicyPort = {
    stage: (changes, full) => this.#policy.stageHub(changes, full, this.#clock.now()),
  };

  // ---- log ----

  logShow(last: number, actor: string | undefined, log?: "access" | "security"): LogEntryView[] {
    return this.#log.show(last, actor, log);
  }

  logVerify(): LogVerifyView {
    return this.#log.verify();
  }

  logExport(log: "access" | "security", from: number, limit: number): LogExportView {
    return this.#log.export(log, from, limit, this.#clock.now());
  }

  logAcknowledge(actor: string, log: "access" | "security", seq: number): BreakView {
    return this.#log.acknowledge(technicianNumber(actor), log, seq, this.#clock.now());
  }

  // ---- config, door, clock, diag ----

  configGet(key: string | undefined): ConfigEntry[] {
    return this.#policy.configGet(key);
  }

  configSet(_actor: string, key: string, value: string): ConfigEntry {
    return this.#policy.configSet(key, value);
  }

  doorOpen(_actor: string, seconds: number): { seconds: number } {
    if (!this.#hooks.openDoor) throw new OptgateError("E_UNSUPPORTED", "This board has no door relay wired to the console.");
    this.#hooks.openDoor(seconds, this.#clock.now());
    return { seconds };
  }

  clockJump(time: number): { from: number; ms: number } | undefined {
    return this.#clockCommands.jump(time);
  }

  clockSet(_actor: string, time: number): { before: number; after: number } {
    return this.#clockCommands.set(time);
  }

  clockConfirm(_actor: string): { held: string | null } {
    return this.#clockCommands.confirm();
  }

  diag(target: DiagTarget): DiagResult[] {
    const own: DiagResult[] = [];
    if (target === "store" || target === "all") {
      const v = this.#log.verify();
      const open = v.breaks.filter((b) => !b.acknowledged);
      own.push({ test: "audit chain", ok: v.ok, detail: v.ok ? `${v.entries} records chain` : `open break(s) at ${open.map((b) => `${b.log === "access" ? "A" : "S"}${b.seq} (${b.problem})`).join(", ")}` });
      own.push({ test: "registry", ok: true, detail: `${this.#core.registry.size} residents, ${this.#core.registry.cardCount} cards, ${this.#core.registry.byteLength} bytes` });
    }
    const board = this.#hooks.diag?.(target) ?? [];
    if (board.length === 0 && target !== "store" && target !== "all") {
      return [{ test: target, ok: false, detail: "no self-test for this part on this board" }];
    }
    return [...board, ...own];
  }

  // ---- internals ----

  #resident(id: string): ResidentId {
    const n = parseResidentId(id);
    if (!this.#core.registry.has(n)) throw new OptgateError("E_UNKNOWN_RESIDENT", `There is no resident ${formatResidentId(n)}; see resident list.`);
    return n;
  }

  #view(n: ResidentId): ResidentView {
    const v = this.#core.registry.get(n)!;
    const label = formatResidentId(n);
    return {
      id: label, unit: v.unit, role: v.role, status: v.status,
      validFrom: v.validFrom ?? null, validUntil: v.validUntil ?? null,
      groups: this.#policy.groupNames(v.groups),
      cards: this.#core.registry.cardsOf(n).map((uid) => toHex(uid).toUpperCase()),
      pin: v.hasPin,
      pinQuality: v.pinQuality,
      face: this.#core.gallery.entry(label) ? "enrolled" : this.#core.ledger.isActive(label) ? "consented" : "none",
    };
  }

  #actorName(kind: string, n: number): string {
    if (kind === "resident") return formatResidentId(n);
    if (kind === "technician") return this.#accounts.name(n);
    if (kind === "keypad") return `keypad-${n}`;
    return kind === "system" ? "system" : "-";
  }

  /** The seq the audit record of the command now running will get: a receipt anyone can look up. */
  #receipt(): string {
    return `S${this.#core.audit.security.head().seq + 1}`;
  }
}

/** Renters, visitors and couriers always have an end date: on edit as on add. */
function requireEnd(role: Role, validUntil: number | null): void {
  if ((role === "renter" || role === "visitor" || role === "courier") && validUntil === null) {
    throw new OptgateError("E_VALIDITY_REQUIRED", `A ${role} needs an end date: give --until (e.g. --until +6m).`);
  }
}
