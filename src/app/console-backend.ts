// The technician console's backend over the real core (GateCore): registry,
// access policy, audit log, consent ledger, face gallery, notices. Names the
// core does not have (access groups, schedules, holidays by name) live here,
// as small settings the board persists, and compile into the gate policy.
//
//   const backend = new CoreConsoleBackend({ core, clock, random, settings: store, hooks: { openDoor, setClock } });
//   new Console({ port, clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians });
import { formatResidentId, parseResidentId, type ResidentId } from "../core/access/types";
import type { GatePolicy } from "../core/access/policy";
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
import { fromHex, toHex, utf8 } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { ConsentRequest } from "../core/face/consent-request";
import type { Notice } from "../core/face/notices";
import { consentKeys } from "../core/gate/keypad-entry";
import type { Clock, Random } from "../core/ports";
import { ConsoleAccounts, technicianNumber } from "./console-accounts";
import { ConsoleLog } from "./console-log";
import { ConsoleClock } from "./console-clock";
import { residentReport } from "./console-report";
import type { AuditStore } from "./audit-store";
import { clone, CONFIG, dateKey, DEFAULT_GROUP, loadStoredSettings, own, SETTINGS_KEY, settingsPolicy, type Settings, type SettingsStore } from "./console-settings";
import type { GateCore } from "./core";
import type { Watermarks } from "./watermarks";

export type { SettingsStore } from "./console-settings";
export { technicianNumber } from "./console-accounts";
export { pinLabel } from "./console-report";

/** What only the board can do; a missing hook makes its command refuse clearly. */
export interface ConsoleHooks {
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
}


export class CoreConsoleBackend implements ConsoleBackend {
  readonly audit: ConsoleAuditSink;
  readonly technicians: TechnicianDirectory;
  readonly #core: GateCore;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #store: SettingsStore | undefined;
  readonly #hooks: ConsoleHooks;
  readonly #accounts: ConsoleAccounts;
  readonly #log: ConsoleLog;
  readonly #clockCommands: ConsoleClock;
  #settings: Settings;
  readonly #watermarks: Watermarks | undefined;
  /** Why the stored settings could not be used (the fail-safe policy is in force), else undefined. */
  settingsDamage: string | undefined;

  constructor(o: CoreConsoleBackendOptions) {
    this.#core = o.core;
    this.#clock = o.clock;
    this.#random = o.random;
    this.#store = o.settings;
    this.#hooks = o.hooks ?? {};
    this.#watermarks = o.watermarks;
    const loaded = loadStoredSettings(this.#store, o.settingsLost === true, (settings) => this.#core.access.setPolicy(this.#policy(settings)), o.watermarks);
    this.#settings = loaded.settings;
    this.settingsDamage = loaded.damage;
    const accounts = new ConsoleAccounts(this.#store, this.#core.audit, this.#clock);
    this.#accounts = accounts;
    this.audit = { record: (event) => accounts.record(event), refused: () => accounts.refused() };
    this.#clockCommands = new ConsoleClock(this.#core, this.#clock, accounts, this.#hooks);
    this.#log = new ConsoleLog(this.#core.audit, o.auditStore, (kind, n) => this.#actorName(kind, n));
    this.technicians = { find: (id) => accounts.find(id), save: (record) => accounts.save(record), remove: (id) => accounts.remove(id), list: () => accounts.list() };
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
    const groups = this.#mask(input.groups.length ? input.groups : [DEFAULT_GROUP]);
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
    const bit = f.group === undefined ? undefined : this.#groupBit(f.group);
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
      groups: patch.groups === undefined ? undefined : this.#mask(patch.groups),
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
    const label = formatResidentId(this.#resident(resident));
    const history = this.#core.ledger.history(label);
    const last = history[history.length - 1];
    const grant = [...history].reverse().find((r) => r.event === "granted");
    const state = !last ? "none" : last.event === "granted" ? "active" : last.event;
    return {
      resident: label, state, noticeVersion: last?.noticeVersion ?? null,
      witness: state === "active" && grant ? grant.actorId : null,
      grantedAt: state === "active" && grant ? grant.at : null,
      endedAt: last && last.event !== "granted" ? last.at : null,
      templateHeld: this.#core.gallery.entry(label) !== undefined,
      pending: this.#requestView(this.#core.consentRequests.pending(label, this.#clock.now())),
    };
  }

  consentRequest(actor: string, resident: string, noticeVersion: number): ConsentRequestView {
    const label = formatResidentId(this.#resident(resident));
    this.#currentNotice();
    const request = this.#core.consentRequests.arm({ residentId: label, noticeVersion, witnessId: actor, at: this.#clock.now() });
    return this.#requestView(request)!;
  }

  consentCancel(_actor: string, resident: string): ConsentRequestView {
    const label = formatResidentId(this.#resident(resident));
    return this.#requestView(this.#core.consentRequests.cancel(label, this.#clock.now()))!;
  }

  #requestView(request: ConsentRequest | undefined): ConsentRequestView | null {
    if (request === undefined) return null;
    return {
      resident: request.residentId, noticeVersion: request.noticeVersion, witness: request.witnessId,
      armedAt: request.armedAt, expiresAt: request.expiresAt, ...consentKeys(parseResidentId(request.residentId)),
    };
  }

  consentWithdraw(actor: string, resident: string): ReceiptView {
    const label = formatResidentId(this.#resident(resident));
    const receipt = this.#core.withdrawal.fromConsole({ residentId: label, technicianId: actor, at: this.#clock.now() });
    return { receipt: receipt.code, at: receipt.record.at, erased: receipt.templateDestroyed ? ["face template", "template key"] : [] };
  }

  faceEnrol(_actor: string, resident: string): FaceEnrolView {
    const label = formatResidentId(this.#resident(resident));
    const entry = this.#core.enrolment.enrolFromCamera(this.#core.ledger.activeConsent(label), this.#clock.now());
    return { resident: label, enrolledAt: entry.enrolledAt, noticeVersion: entry.noticeVersion };
  }

  faceDelete(_actor: string, resident: string): ReceiptView {
    const n = this.#resident(resident);
    const label = formatResidentId(n);
    const held = this.#core.gallery.remove(label);
    if (this.#core.registry.get(n)?.faceEnrolled) this.#core.registry.setFaceEnrolled(n, false);
    return { receipt: this.#receipt(), at: this.#clock.now(), erased: held ? ["face template", "template key"] : [] };
  }

  noticeShow(version: number | undefined): NoticeView {
    return noticeView(version === undefined ? this.#currentNotice() : this.#core.notices.get(version));
  }

  noticeSet(_actor: string, n: NoticeInput): NoticeView {
    return noticeView(this.#core.notices.publish({ purpose: n.purpose, method: n.method, gates: n.scope, retentionDays: n.retentionDays }, this.#clock.now()));
  }

  report(resident: string): Record<string, unknown> {
    return residentReport(this.#core, this.#resident(resident), this.timeZone(), this.#clock.now());
  }


  // ---- groups, schedules, holidays (compiled into the gate policy) ----

  groupAdd(_actor: string, name: string, schedules: string[]): GroupView {
    for (const s of schedules) if (!own(this.#settings.schedules, s)) throw new OptgateError("E_NO_SCHEDULE", `There is no schedule ${s}; create it with schedule set.`);
    const next = clone(this.#settings);
    const existing = own(next.groups, name);
    let bit = existing?.bit;
    if (bit === undefined) {
      const used = new Set(Object.values(next.groups).map((g) => g.bit));
      for (let b = 1; b < 32 && bit === undefined; b++) if (!used.has(b)) bit = b;
      if (bit === undefined) throw new OptgateError("E_TOO_MANY_GROUPS", "A gate has room for 32 access groups; remove one first.");
    }
    next.groups[name] = { bit, schedules };
    this.#commitSettings(next);
    return this.#group(name);
  }

  groupRemove(_actor: string, name: string): GroupView {
    if (name === DEFAULT_GROUP) throw new OptgateError("E_GROUP_IN_USE", `The ${DEFAULT_GROUP} group is the default and stays.`);
    const view = this.#group(name);
    if (view.members > 0) throw new OptgateError("E_GROUP_IN_USE", `Group ${name} still has ${view.members} member(s); move them first (resident edit --groups).`);
    const next = clone(this.#settings);
    delete next.groups[name];
    this.#commitSettings(next);
    return view;
  }

  groupList(): GroupView[] {
    return Object.keys(this.#settings.groups).sort().map((name) => this.#group(name));
  }

  scheduleSet(_actor: string, s: ScheduleView): ScheduleView {
    if (s.days.length === 0) throw new OptgateError("E_BAD_SCHEDULE", "A schedule needs at least one day.");
    if (s.from === s.to) throw new OptgateError("E_BAD_SCHEDULE", "The window is empty; --from and --to must differ (a --to before --from runs past midnight).");
    const next = clone(this.#settings);
    next.schedules[s.name] = { days: [...s.days], from: s.from, to: s.to };
    this.#commitSettings(next);
    return s;
  }

  scheduleRemove(_actor: string, name: string): ScheduleView {
    const s = own(this.#settings.schedules, name);
    if (!s) throw new OptgateError("E_NO_SCHEDULE", `There is no schedule ${name}.`);
    const users = Object.keys(this.#settings.groups).filter((g) => this.#settings.groups[g].schedules.includes(name));
    if (users.length) throw new OptgateError("E_SCHEDULE_IN_USE", `Schedule ${name} is used by group(s) ${users.join(", ")}.`);
    const next = clone(this.#settings);
    delete next.schedules[name];
    this.#commitSettings(next);
    return { name, ...s };
  }

  scheduleList(): ScheduleView[] {
    return Object.keys(this.#settings.schedules).sort().map((name) => ({ name, ...this.#settings.schedules[name] }));
  }

  holidayAdd(_actor: string, h: HolidayView): HolidayView {
    const next = clone(this.#settings);
    next.holidays[dateKey(h.date)] = h.name;
    this.#commitSettings(next);
    return { date: Date.parse(dateKey(h.date)), name: h.name };
  }

  holidayRemove(_actor: string, date: number): HolidayView {
    const key = dateKey(date);
    const name = own(this.#settings.holidays, key);
    if (name === undefined) throw new OptgateError("E_NO_HOLIDAY", `There is no holiday on ${key}.`);
    const next = clone(this.#settings);
    delete next.holidays[key];
    this.#commitSettings(next);
    return { date: Date.parse(key), name };
  }

  holidayList(): HolidayView[] {
    return Object.keys(this.#settings.holidays).sort().map((key) => ({ date: Date.parse(key), name: this.#settings.holidays[key] }));
  }

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
    const policy = this.#policy(this.#settings);
    const keys = key === undefined ? Object.keys(CONFIG) : [key];
    return keys.map((k) => {
      const c = own(CONFIG, k);
      if (!c) throw new OptgateError("E_NO_SETTING", `There is no setting ${k.slice(0, 32)}; config get lists them.`);
      return { key: k, value: c.get(policy), doc: c.doc };
    });
  }

  configSet(_actor: string, key: string, value: string): ConfigEntry {
    const c = own(CONFIG, key);
    if (!c) throw new OptgateError("E_NO_SETTING", `There is no setting ${key.slice(0, 32)}; config get lists them.`);
    const policy = this.#policy(this.#settings);
    const old = String(c.get(policy));
    c.set(policy, value); // validates the value on a scratch policy first
    // A check the face model cannot run is refused here, where the technician can act on it, rather than
    // accepted and left to fail at the gate (boot with such a stored setting shows DAMAGE instead).
    this.#core.checkFaceLiveness(policy.faceLiveness);
    this.#accounts.explain(`${key} ${old} -> ${String(c.get(policy))}`);
    const next = clone(this.#settings);
    next.config[key] = value;
    this.#commitSettings(next);
    return this.configGet(key)[0];
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
      groups: this.#groupNames(v.groups),
      cards: this.#core.registry.cardsOf(n).map((uid) => toHex(uid).toUpperCase()),
      pin: v.hasPin,
      pinQuality: v.pinQuality,
      face: this.#core.gallery.entry(label) ? "enrolled" : this.#core.ledger.isActive(label) ? "consented" : "none",
    };
  }

  #groupBit(name: string): number {
    const g = own(this.#settings.groups, name);
    if (!g) throw new OptgateError("E_NO_GROUP", `There is no group ${name}; group list shows them, group add creates one.`);
    return g.bit;
  }

  #mask(names: string[]): number {
    let mask = 0;
    for (const name of names) mask |= 1 << this.#groupBit(name);
    return mask >>> 0;
  }

  #groupNames(mask: number): string[] {
    const out: string[] = [];
    for (const name of Object.keys(this.#settings.groups).sort()) if (mask & (1 << this.#settings.groups[name].bit)) out.push(name);
    return out;
  }

  #group(name: string): GroupView {
    const g = own(this.#settings.groups, name);
    if (!g) throw new OptgateError("E_NO_GROUP", `There is no group ${name}.`);
    const bit = 1 << g.bit;
    let members = 0;
    for (const id of this.#core.registry.ids()) if (this.#core.registry.get(id)!.groups & bit) members++;
    return { name, schedules: [...g.schedules], members };
  }

  #currentNotice(): Notice {
    const notice = this.#core.notices.current();
    if (!notice) throw new OptgateError("E_NO_NOTICE", "No face notice is published on this gate; publish one with notice set first.");
    return notice;
  }

  #policy(s: Settings): GatePolicy {
    return settingsPolicy(s, this.#core.access.policy);
  }

  /** Applies new settings to the gate (validated there first), then persists them. */
  #commitSettings(next: Settings): void {
    this.#core.access.setPolicy(this.#policy(next));
    this.#settings = next;
    const bytes = utf8(JSON.stringify(next));
    this.#watermarks?.settingsWriting(bytes);
    this.#store?.put(SETTINGS_KEY, bytes);
    this.#watermarks?.settingsStored(bytes);
    this.settingsDamage = undefined;
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

function noticeView(n: Notice): NoticeView {
  return { version: n.version, purpose: n.purpose, method: n.method, scope: [...n.gates], retentionDays: n.retentionDays, issued: n.publishedAt };
}


/** Renters, visitors and couriers always have an end date: on edit as on add. */
function requireEnd(role: Role, validUntil: number | null): void {
  if ((role === "renter" || role === "visitor" || role === "courier") && validUntil === null) {
    throw new OptgateError("E_VALIDITY_REQUIRED", `A ${role} needs an end date: give --until (e.g. --until +6m).`);
  }
}
