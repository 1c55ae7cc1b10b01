// A small but real in-memory ConsoleBackend for console tests: it keeps state,
// enforces the rules the console relies on (unknown ids, duplicate cards, the
// last non-face credential, consent before enrolment) and chains its log. It
// counts every state change, so tests can prove nothing changed.
import { parseTimeZone, type TimeZone } from "../../../src/core/time/posix-tz";
import { hmacSha256, sha256, toHex, utf8 } from "../../../src/core/crypto";
import { OptgateError } from "../../../src/core/errors";
import type {
  BreakView, ConfigEntry, ConsentRequestView, ConsentView, ConsoleBackend, DiagResult, DiagTarget, GroupView, HolidayView, LogEntryView, LogExportView, LogVerifyView, NoticeInput,
  NoticeView, ReceiptView, ResidentFilter, ResidentInput, ResidentPatch, ResidentView, ScheduleView, StatusView, VisitorCodeView,
} from "../../../src/core/console/backend";

interface Resident extends ResidentView { pinHash: Uint8Array | null }
interface Entry { seq: number; time: number; actor: string; action: string; subject: string; prev: string; hash: string }

const PIN_KEY = utf8("fake-backend-pin-key");

export class FakeBackend implements ConsoleBackend {
  mutations = 0;
  doorOpens = 0;
  clock: number;
  readonly residents = new Map<string, Resident>();
  readonly cards = new Map<string, string>();
  readonly consents = new Map<string, ConsentView>();
  /** Consent requests waiting for the resident at the (simulated) keypad. */
  readonly requests = new Map<string, ConsentRequestView>();
  readonly notices: NoticeView[] = [];
  readonly groups = new Map<string, { name: string; schedules: string[] }>();
  readonly schedules = new Map<string, ScheduleView>();
  readonly holidays = new Map<number, HolidayView>();
  readonly visitors = new Map<string, VisitorCodeView>();
  readonly log: Entry[] = [];
  breaks: BreakView[] = [];
  readonly config = new Map<string, ConfigEntry>([
    ["pin.length", { key: "pin.length", value: 6, doc: "PIN digits (4-8)" }],
    ["gate.modes", { key: "gate.modes", value: "card,pin", doc: "accepted modes" }],
  ]);
  #seq = 0;
  #nextId = 1;
  #receipts = 0;

  /** The gate's POSIX TZ string (config timezone). */
  zone = "UTC0";

  timeZone(): TimeZone {
    return parseTimeZone(this.zone);
  }

  constructor(now: number) {
    this.clock = now;
    this.notices.push({ version: 1, purpose: "Open the gate by face", method: "On-device matching", scope: ["main"], retentionDays: 365, issued: now });
  }

  #change(actor: string, action: string, subject: string): void {
    this.mutations++;
    const prev = this.log.length ? this.log[this.log.length - 1].hash : "0".repeat(64);
    const e = { seq: this.#seq++, time: this.clock, actor, action, subject };
    this.log.push({ ...e, prev, hash: toHex(sha256(utf8(prev + JSON.stringify(e)))) });
  }

  #resident(id: string): Resident {
    const r = this.residents.get(id);
    if (!r) throw new OptgateError("E_NO_RESIDENT", `There is no resident ${id}; see resident list.`);
    return r;
  }

  #view(r: Resident): ResidentView {
    const { pinHash, ...view } = r;
    return { ...view, pin: pinHash !== null, cards: [...view.cards], groups: [...view.groups] };
  }

  #requireGroups(groups: string[]): void {
    for (const g of groups) if (!this.groups.has(g)) throw new OptgateError("E_NO_GROUP", `There is no group ${g}; create it with group add.`);
  }

  #keepsCredential(r: Resident, removingCard: string | null, removingPin: boolean): void {
    const cards = r.cards.filter((c) => c !== removingCard).length;
    const pin = r.pinHash !== null && !removingPin;
    if (cards === 0 && !pin && (r.cards.length > 0 || r.pinHash !== null)) {
      throw new OptgateError("E_LAST_NON_FACE_CREDENTIAL", `${r.id} would have no card or PIN left; add another first.`);
    }
  }

  registryClearDamage(): { cleared: string | null } {
    return { cleared: null };
  }

  status(): StatusView {
    return {
      door: "closed", reader: "ok", keypad: "ok", cameraPowered: false, storeUsedBytes: this.log.length * 64, storeTotalBytes: 1 << 20,
      clock: this.clock, residents: this.residents.size, consenting: [...this.consents.values()].filter((c) => c.state === "active").length,
    };
  }

  residentAdd(actor: string, input: ResidentInput): ResidentView {
    if ((input.role === "renter" || input.role === "visitor") && input.validUntil === null) {
      throw new OptgateError("E_VALIDITY_REQUIRED", `A ${input.role} needs an end date: add --until.`);
    }
    if (input.card === null && input.pin === null) throw new OptgateError("E_NO_NON_FACE_CREDENTIAL", "A resident needs a card or a PIN.");
    if (input.card !== null && this.cards.has(input.card)) throw new OptgateError("E_CARD_IN_USE", `Card ${input.card} already belongs to ${this.cards.get(input.card)}.`);
    this.#requireGroups(input.groups);
    const id = `R${String(this.#nextId++).padStart(5, "0")}`;
    const r: Resident = {
      id, unit: input.unit, role: input.role, validFrom: input.validFrom, validUntil: input.validUntil, groups: input.groups,
      status: "active", cards: input.card ? [input.card] : [], pin: false, face: "none", pinHash: input.pin === null ? null : hmacSha256(PIN_KEY, utf8(input.pin)),
    };
    this.residents.set(id, r);
    if (input.card) this.cards.set(input.card, id);
    this.#change(actor, "resident add", id);
    return this.#view(r);
  }
  residentShow(id: string): ResidentView {
    return this.#view(this.#resident(id));
  }
  residentList(f: ResidentFilter, after: string | undefined, limit: number) {
    const all = [...this.residents.values()]
      .filter((r) => (!f.role || r.role === f.role) && (!f.unit || r.unit === f.unit) && (!f.group || r.groups.includes(f.group)) && (!f.status || r.status === f.status))
      .filter((r) => after === undefined || r.id > after)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const residents = all.slice(0, limit).map((r) => this.#view(r));
    return { residents, next: all.length > limit ? residents[residents.length - 1].id : null };
  }
  residentEdit(actor: string, id: string, patch: ResidentPatch): ResidentView {
    const r = this.#resident(id);
    if (patch.groups) this.#requireGroups(patch.groups);
    Object.assign(r, patch);
    this.#change(actor, "resident edit", id);
    return this.#view(r);
  }
  residentSuspend(actor: string, id: string, suspended: boolean): ResidentView {
    const r = this.#resident(id);
    r.status = suspended ? "suspended" : "active";
    this.#change(actor, suspended ? "resident suspend" : "resident resume", id);
    return this.#view(r);
  }
  residentRemove(actor: string, id: string): ReceiptView {
    const r = this.#resident(id);
    for (const c of r.cards) this.cards.delete(c);
    this.residents.delete(id);
    this.consents.delete(id);
    this.#change(actor, "resident remove", id);
    return { receipt: `RC-${++this.#receipts}`, at: this.clock, erased: r.face === "enrolled" ? ["template", "template key"] : [] };
  }
  cardAdd(actor: string, resident: string, uid: string): ResidentView {
    const r = this.#resident(resident);
    if (this.cards.has(uid)) throw new OptgateError("E_CARD_IN_USE", `Card ${uid} already belongs to ${this.cards.get(uid)}.`);
    r.cards.push(uid);
    this.cards.set(uid, resident);
    this.#change(actor, "card add", resident);
    return this.#view(r);
  }
  cardRemove(actor: string, uid: string): ResidentView {
    const owner = this.cards.get(uid);
    if (!owner) throw new OptgateError("E_NO_CARD", `No resident holds card ${uid}.`);
    const r = this.#resident(owner);
    this.#keepsCredential(r, uid, false);
    r.cards = r.cards.filter((c) => c !== uid);
    this.cards.delete(uid);
    this.#change(actor, "card remove", owner);
    return this.#view(r);
  }
  pinSet(actor: string, resident: string, pin: string): ResidentView {
    const r = this.#resident(resident);
    const length = this.config.get("pin.length")!.value as number;
    if (pin.length !== length) throw new OptgateError("E_PIN_LENGTH", `PINs on this gate have ${length} digits.`);
    r.pinHash = hmacSha256(PIN_KEY, utf8(pin));
    this.#change(actor, "pin set", resident);
    return this.#view(r);
  }
  pinReset(actor: string, resident: string): ResidentView {
    const r = this.#resident(resident);
    if (r.pinHash === null) throw new OptgateError("E_NO_PIN", `${resident} has no PIN to clear.`);
    this.#keepsCredential(r, null, true);
    r.pinHash = null;
    this.#change(actor, "pin reset", resident);
    return this.#view(r);
  }
  visitorIssue(actor: string, host: string, validUntil: number, uses: number): VisitorCodeView {
    this.#resident(host);
    const v = { code: String(73519046 + this.visitors.size), host, validUntil, uses };
    this.visitors.set(v.code, v);
    this.#change(actor, "visitor issue", host);
    return v;
  }
  visitorRevoke(actor: string, code: string): { host: string } {
    const v = this.visitors.get(code);
    if (!v) throw new OptgateError("E_UNKNOWN_CODE", "No such one-time code.");
    this.visitors.delete(code);
    this.#change(actor, "visitor revoke", v.host);
    return { host: v.host };
  }
  consentShow(resident: string): ConsentView {
    this.#resident(resident);
    const pending = this.#pending(resident);
    const consent = this.consents.get(resident) ?? { resident, state: "none", noticeVersion: null, witness: null, grantedAt: null, endedAt: null, templateHeld: false, pending: null };
    return { ...consent, pending };
  }
  consentRequest(actor: string, resident: string, noticeVersion: number): ConsentRequestView {
    const r = this.#resident(resident);
    const notice = this.notices[this.notices.length - 1];
    if (noticeVersion !== notice.version) throw new OptgateError("E_NOTICE_OUTDATED", `Notice version ${noticeVersion} is not the published one.`);
    if (r.pinHash === null) throw new OptgateError("E_CONSENT_NEEDS_PIN", `Resident ${resident} has no PIN to confirm with on the keypad.`);
    const n = Number(resident.slice(1));
    const request = { resident, noticeVersion, witness: actor, armedAt: this.clock, expiresAt: this.clock + 120_000, keys: `#8#${n}#<PIN>#`, keys4x4: `C${n}#<PIN>#` };
    this.requests.set(resident, request);
    this.#change(actor, "consent grant", resident);
    return request;
  }
  consentCancel(actor: string, resident: string): ConsentRequestView {
    this.#resident(resident);
    const request = this.#pending(resident);
    if (!request) throw new OptgateError("E_NO_CONSENT_REQUEST", `No consent request is waiting for ${resident}; nothing to cancel.`);
    this.requests.delete(resident);
    this.#change(actor, "consent cancel", resident);
    return request;
  }
  /** The resident's side, as the gate keypad would call it: their own PIN confirms the waiting request. */
  keypadConfirm(resident: string, pin: string): ConsentView {
    const r = this.#resident(resident);
    const request = this.#pending(resident);
    if (!request) throw new OptgateError("E_NO_CONSENT_REQUEST", `No consent request is waiting for ${resident}.`);
    if (r.pinHash === null || toHex(r.pinHash) !== toHex(hmacSha256(PIN_KEY, utf8(pin)))) {
      throw new OptgateError("E_CONSENT_PIN_REJECTED", "The PIN did not match; consent was not recorded.");
    }
    this.requests.delete(resident);
    const consent: ConsentView = { resident, state: "active", noticeVersion: request.noticeVersion, witness: request.witness, grantedAt: this.clock, endedAt: null, templateHeld: false, pending: null };
    this.consents.set(resident, consent);
    r.face = "consented";
    this.#change(resident, "consent given", resident);
    return consent;
  }
  #pending(resident: string): ConsentRequestView | null {
    const request = this.requests.get(resident);
    if (request && this.clock >= request.expiresAt) this.requests.delete(resident);
    return this.requests.get(resident) ?? null;
  }
  consentWithdraw(actor: string, resident: string): ReceiptView {
    const r = this.#resident(resident);
    const c = this.consents.get(resident);
    if (!c || c.state === "withdrawn") throw new OptgateError("E_NO_CONSENT", `${resident} has no consent to withdraw.`);
    const erased = c.templateHeld ? ["template", "template key"] : [];
    this.consents.set(resident, { ...c, state: "withdrawn", endedAt: this.clock, templateHeld: false });
    r.face = "none";
    this.#change(actor, "consent withdraw", resident);
    return { receipt: `RC-${++this.#receipts}`, at: this.clock, erased };
  }
  faceEnrol(actor: string, resident: string) {
    const r = this.#resident(resident);
    const c = this.consents.get(resident);
    if (!c || c.state !== "active") throw new OptgateError("E_NO_CONSENT", `${resident} has no active consent; face enrolment needs it.`);
    this.consents.set(resident, { ...c, templateHeld: true });
    r.face = "enrolled";
    this.#change(actor, "face enrol", resident);
    return { resident, enrolledAt: this.clock, noticeVersion: c.noticeVersion! };
  }
  faceDelete(actor: string, resident: string): ReceiptView {
    const r = this.#resident(resident);
    const c = this.consents.get(resident);
    const held = c?.templateHeld === true;
    if (c) this.consents.set(resident, { ...c, templateHeld: false });
    if (r.face === "enrolled") r.face = "consented";
    this.#change(actor, "face delete", resident);
    return { receipt: `RC-${++this.#receipts}`, at: this.clock, erased: held ? ["template", "template key"] : [] };
  }
  groupAdd(actor: string, name: string, schedules: string[]): GroupView {
    for (const s of schedules) if (!this.schedules.has(s)) throw new OptgateError("E_NO_SCHEDULE", `There is no schedule ${s}.`);
    this.groups.set(name, { name, schedules });
    this.#change(actor, "group add", name);
    return this.#group(name);
  }
  #group(name: string): GroupView {
    const g = this.groups.get(name);
    if (!g) throw new OptgateError("E_NO_GROUP", `There is no group ${name}.`);
    return { ...g, members: [...this.residents.values()].filter((r) => r.groups.includes(name)).length };
  }
  groupRemove(actor: string, name: string): GroupView {
    const g = this.#group(name);
    if (g.members > 0) throw new OptgateError("E_GROUP_IN_USE", `Group ${name} still has ${g.members} member(s).`);
    this.groups.delete(name);
    this.#change(actor, "group remove", name);
    return g;
  }
  groupList(): GroupView[] {
    return [...this.groups.keys()].map((n) => this.#group(n));
  }
  scheduleSet(actor: string, s: ScheduleView): ScheduleView {
    if (s.from >= s.to) throw new OptgateError("E_BAD_SCHEDULE", "The window must start before it ends.");
    this.schedules.set(s.name, s);
    this.#change(actor, "schedule set", s.name);
    return s;
  }
  scheduleRemove(actor: string, name: string): ScheduleView {
    const s = this.schedules.get(name);
    if (!s) throw new OptgateError("E_NO_SCHEDULE", `There is no schedule ${name}.`);
    this.schedules.delete(name);
    this.#change(actor, "schedule remove", name);
    return s;
  }
  scheduleList(): ScheduleView[] {
    return [...this.schedules.values()];
  }
  holidayAdd(actor: string, h: HolidayView): HolidayView {
    this.holidays.set(h.date, h);
    this.#change(actor, "holiday add", String(h.date));
    return h;
  }
  holidayRemove(actor: string, date: number): HolidayView {
    const h = this.holidays.get(date);
    if (!h) throw new OptgateError("E_NO_HOLIDAY", "There is no holiday on that date.");
    this.holidays.delete(date);
    this.#change(actor, "holiday remove", String(date));
    return h;
  }
  holidayList(): HolidayView[] {
    return [...this.holidays.values()];
  }
  logShow(last: number, actor: string | undefined): LogEntryView[] {
    return this.log.filter((e) => actor === undefined || e.actor === actor).slice(-last)
      .map((e) => ({
        log: "security" as const, seq: e.seq, time: e.time, actor: e.actor, event: `${e.action} ${e.subject}`, decision: "info", reason: "info",
        subject: /^R\d{5,}$/.test(e.subject) ? e.subject : null, detail: "",
      }));
  }
  logVerify(): LogVerifyView {
    let prev = "0".repeat(64);
    const breaks: BreakView[] = [...this.breaks];
    for (const { prev: p, hash, ...e } of this.log) {
      if (p !== prev || hash !== toHex(sha256(utf8(prev + JSON.stringify(e))))) {
        if (!breaks.some((b) => b.seq === e.seq)) breaks.push({ log: "security", seq: e.seq, problem: "link", acknowledged: false });
      }
      prev = hash;
    }
    const n = this.log.length;
    return { ok: !breaks.some((b) => !b.acknowledged), entries: n, logs: { access: { entries: 0, head: 0 }, security: { entries: n, head: this.#seq - 1 } }, breaks };
  }
  logAcknowledge(actor: string, log: "access" | "security", seq: number): BreakView {
    const found = this.logVerify().breaks.find((b) => b.log === log && b.seq === seq && !b.acknowledged);
    if (!found) throw new OptgateError("E_NO_BREAK", "There is no open break there.");
    found.acknowledged = true;
    this.breaks = [...this.breaks.filter((b) => b.seq !== seq), found];
    this.#change(actor, "log acknowledge", String(seq));
    return found;
  }
  logExport(log: "access" | "security", from: number, limit: number): LogExportView {
    const entries = this.log.filter((e) => e.seq >= from).slice(0, limit);
    const last = entries[entries.length - 1];
    const anchor = { seq: -1, hash: "0".repeat(64) };
    const head = { seq: this.#seq - 1, hash: this.log.length ? this.log[this.log.length - 1].hash : anchor.hash };
    return { log, anchor, head, records: entries.map((e) => toHex(utf8(JSON.stringify(e)))), next: last && last.seq + 1 < this.#seq ? last.seq + 1 : null };
  }
  configGet(key: string | undefined): ConfigEntry[] {
    if (key === undefined) return [...this.config.values()];
    const e = this.config.get(key);
    if (!e) throw new OptgateError("E_NO_SETTING", `There is no setting ${key}.`);
    return [e];
  }
  configSet(actor: string, key: string, value: string): ConfigEntry {
    const e = this.configGet(key)[0];
    let v: string | number = value;
    if (key === "pin.length") {
      v = Number(value);
      if (!/^\d$/.test(value) || v < 4 || v > 8) throw new OptgateError("E_BAD_SETTING", "pin.length is 4 to 8.");
    }
    const next = { ...e, value: v };
    this.config.set(key, next);
    this.#change(actor, "config set", key);
    return next;
  }
  doorOpen(actor: string, seconds: number) {
    this.doorOpens++;
    this.#change(actor, "door open", "");
    return { seconds };
  }
  clockSet(actor: string, time: number) {
    const before = this.clock;
    this.clock = time;
    this.#change(actor, "clock set", "");
    return { before, after: time };
  }
  clockJump(time: number) {
    return Math.abs(time - this.clock) > 86_400_000 ? { from: this.clock, ms: time - this.clock } : undefined;
  }
  clockConfirm(actor: string) {
    this.#change(actor, "clock confirm", "");
    return { held: null };
  }
  diag(target: DiagTarget): DiagResult[] {
    const all: DiagResult[] = [
      { test: "reader", ok: true, detail: "MFRC522 version 0x92" },
      { test: "keypad", ok: true, detail: "no stuck keys" },
      { test: "relay", ok: true, detail: "coil resistance ok" },
      { test: "store", ok: true, detail: "CRC ok" },
    ];
    return target === "all" ? all : all.filter((r) => r.test === target);
  }
  noticeShow(version: number | undefined): NoticeView {
    const n = version === undefined ? this.notices[this.notices.length - 1] : this.notices.find((x) => x.version === version);
    if (!n) throw new OptgateError("E_NO_NOTICE", `There is no notice version ${version}.`);
    return n;
  }
  noticeSet(actor: string, input: NoticeInput): NoticeView {
    const n = { ...input, version: this.notices.length + 1, issued: this.clock };
    this.notices.push(n);
    this.#change(actor, "notice set", String(n.version));
    return n;
  }
  report(resident: string): Record<string, unknown> {
    const r = this.residentShow(resident);
    return { resident: r, consent: this.consentShow(resident), log: this.logShow(1000, resident).length };
  }
}
