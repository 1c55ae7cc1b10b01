// The console's access groups, schedules, holidays and config keys: settings
// the board persists under names the core does not have, compiled into the
// gate policy on every change. Split from console-backend.ts.
import { compilePolicy, type GatePolicy } from "../core/access/policy";
import type { ConfigEntry, GroupView, HolidayView, ScheduleView } from "../core/console/backend";
import { utf8 } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { ConsoleAccounts } from "./console-accounts";
import { clone, CONFIG, dateKey, DEFAULT_GROUP, loadStoredSettings, own, SETTINGS_KEY, settingsPolicy, type Settings, type SettingsStore } from "./console-settings";
import type { GateCore } from "./core";
import type { Watermarks } from "./watermarks";
import { describeHubChanges, withHubSchedules, type PolicyChange } from "./hub-schedules";
import type { StoreOp } from "../core/store/log-store";

/** The hub's schedule changes, checked and ready to store with their change set (ConsolePolicy.stageHub). */
export interface StagedPolicy {
  ops: StoreOp[];
  storing(): void;
  stored(): void;
  refused(): void;
}

export class ConsolePolicy {
  readonly #core: GateCore;
  readonly #store: SettingsStore | undefined;
  readonly #watermarks: Watermarks | undefined;
  readonly #accounts: ConsoleAccounts;
  #settings: Settings;
  /** Why the stored settings could not be used (the fail-safe policy is in force), else undefined. */
  damage: string | undefined;

  /** Loads the stored settings and applies them to the gate (fail-safe ones when they cannot be read). */
  constructor(core: GateCore, store: SettingsStore | undefined, lost: boolean, watermarks: Watermarks | undefined, accounts: ConsoleAccounts) {
    this.#core = core;
    this.#store = store;
    this.#watermarks = watermarks;
    this.#accounts = accounts;
    const loaded = loadStoredSettings(store, lost, (settings) => core.access.setPolicy(this.#policy(settings)), watermarks);
    this.#settings = loaded.settings;
    this.damage = loaded.damage;
  }

  // ---- groups, schedules, holidays ----

  groupAdd(name: string, schedules: string[]): GroupView {
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
    this.#commit(next);
    return this.#group(name);
  }

  groupRemove(name: string): GroupView {
    if (name === DEFAULT_GROUP) throw new OptgateError("E_GROUP_IN_USE", `The ${DEFAULT_GROUP} group is the default and stays.`);
    const view = this.#group(name);
    if (view.members > 0) throw new OptgateError("E_GROUP_IN_USE", `Group ${name} still has ${view.members} member(s); move them first (resident edit --groups).`);
    const next = clone(this.#settings);
    delete next.groups[name];
    this.#commit(next);
    return view;
  }

  groupList(): GroupView[] {
    return Object.keys(this.#settings.groups).sort().map((name) => this.#group(name));
  }

  scheduleSet(s: ScheduleView): ScheduleView {
    if (s.days.length === 0) throw new OptgateError("E_BAD_SCHEDULE", "A schedule needs at least one day.");
    if (s.from === s.to) throw new OptgateError("E_BAD_SCHEDULE", "The window is empty; --from and --to must differ (a --to before --from runs past midnight).");
    const next = clone(this.#settings);
    next.schedules[s.name] = { days: [...s.days], from: s.from, to: s.to };
    this.#commit(next);
    return s;
  }

  scheduleRemove(name: string): ScheduleView {
    const s = own(this.#settings.schedules, name);
    if (!s) throw new OptgateError("E_NO_SCHEDULE", `There is no schedule ${name}.`);
    const users = Object.keys(this.#settings.groups).filter((g) => this.#settings.groups[g].schedules.includes(name));
    if (users.length) throw new OptgateError("E_SCHEDULE_IN_USE", `Schedule ${name} is used by group(s) ${users.join(", ")}.`);
    const next = clone(this.#settings);
    delete next.schedules[name];
    this.#commit(next);
    return { name, ...s };
  }

  scheduleList(): ScheduleView[] {
    return Object.keys(this.#settings.schedules).sort().map((name) => ({ name, ...this.#settings.schedules[name] }));
  }

  holidayAdd(h: HolidayView): HolidayView {
    const next = clone(this.#settings);
    next.holidays[dateKey(h.date)] = h.name;
    this.#commit(next);
    return { date: Date.parse(dateKey(h.date)), name: h.name };
  }

  holidayRemove(date: number): HolidayView {
    const key = dateKey(date);
    const name = own(this.#settings.holidays, key);
    if (name === undefined) throw new OptgateError("E_NO_HOLIDAY", `There is no holiday on ${key}.`);
    const next = clone(this.#settings);
    delete next.holidays[key];
    this.#commit(next);
    return { date: Date.parse(key), name };
  }

  holidayList(): HolidayView[] {
    return Object.keys(this.#settings.holidays).sort().map((key) => ({ date: Date.parse(key), name: this.#settings.holidays[key] }));
  }

  // ---- the hub's groups, schedules and holidays (a change set's set-schedule / set-holidays) ----

  /**
   * The hub's changes checked as a technician's would be (the policy compiled
   * from the settings they give), not yet in force. The set's store group
   * carries `ops`; `storing()` runs just before that group is written,
   * `stored()` after (the policy in force, audited, actor hub), `refused()`
   * when the store refused it. Throws, changing nothing, when they do not apply.
   */
  stageHub(changes: PolicyChange[], full: boolean, now: number): StagedPolicy {
    const next = withHubSchedules(this.#settings, changes, full);
    const policy = this.#policy(next);
    compilePolicy(policy); // throws E_BAD_POLICY / E_BAD_SCHEDULE as for the console's commands
    const bytes = utf8(JSON.stringify(next));
    const before = this.#store?.get(SETTINGS_KEY);
    return {
      ops: [{ put: SETTINGS_KEY, value: bytes }],
      storing: () => this.#watermarks?.settingsWriting(bytes),
      stored: () => {
        this.#core.access.setPolicy(policy);
        this.#settings = next;
        this.#watermarks?.settingsStored(bytes);
        // Unlike a technician's change, the hub's does not end a settings DAMAGE line: nobody at the gate has seen it.
        this.#core.audit.append({ time: now, actorKind: "system", actor: 0, kind: "policy-changed", decision: "info", reason: "info", detail: describeHubChanges(changes, full) });
      },
      refused: () => {
        // The marks go back to the settings the store still holds, so a later cut is not taken for a rollback.
        if (!before) return;
        this.#watermarks?.settingsWriting(before);
        this.#watermarks?.settingsStored(before);
      },
    };
  }

  // ---- config ----

  configGet(key: string | undefined): ConfigEntry[] {
    const policy = this.#policy(this.#settings);
    const keys = key === undefined ? Object.keys(CONFIG) : [key];
    return keys.map((k) => {
      const c = own(CONFIG, k);
      if (!c) throw new OptgateError("E_NO_SETTING", `There is no setting ${k.slice(0, 32)}; config get lists them.`);
      return { key: k, value: c.get(policy), doc: c.doc };
    });
  }

  configSet(key: string, value: string): ConfigEntry {
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
    this.#commit(next);
    return this.configGet(key)[0];
  }

  // ---- group names and bits, for the resident views ----

  groupBit(name: string): number {
    const g = own(this.#settings.groups, name);
    if (!g) throw new OptgateError("E_NO_GROUP", `There is no group ${name}; group list shows them, group add creates one.`);
    return g.bit;
  }

  mask(names: string[]): number {
    let mask = 0;
    for (const name of names) mask |= 1 << this.groupBit(name);
    return mask >>> 0;
  }

  groupNames(mask: number): string[] {
    const out: string[] = [];
    for (const name of Object.keys(this.#settings.groups).sort()) if (mask & (1 << this.#settings.groups[name].bit)) out.push(name);
    return out;
  }

  // ---- internals ----

  #group(name: string): GroupView {
    const g = own(this.#settings.groups, name);
    if (!g) throw new OptgateError("E_NO_GROUP", `There is no group ${name}.`);
    const bit = 1 << g.bit;
    let members = 0;
    for (const id of this.#core.registry.ids()) if (this.#core.registry.get(id)!.groups & bit) members++;
    return { name, schedules: [...g.schedules], members };
  }

  #policy(s: Settings): GatePolicy {
    return settingsPolicy(s, this.#core.access.policy);
  }

  /** Applies new settings to the gate (validated there first), then persists them. */
  #commit(next: Settings): void {
    this.#core.access.setPolicy(this.#policy(next));
    this.#settings = next;
    const bytes = utf8(JSON.stringify(next));
    this.#watermarks?.settingsWriting(bytes);
    this.#store?.put(SETTINGS_KEY, bytes);
    this.#watermarks?.settingsStored(bytes);
    this.damage = undefined;
  }
}
