// The console's own settings (access groups, schedules, holidays by name and
// the config keys) and how they compile into the gate policy the core enforces.
import type { CompiledPolicy, GatePolicy } from "../core/access/policy";
import type { ScheduleSpec } from "../core/access/schedule";
import type { Weekday } from "../core/console/backend";
import { formatTime } from "../core/console/params";
import { fixedOffsetZone, parseTimeZone } from "../core/time/posix-tz";
import { OptgateError } from "../core/errors";
import { LIVENESS_CHECKS, type LivenessSetting } from "../core/ports";
import type { Watermarks } from "./watermarks";

/** Persistent bytes by key (the LogStore on a board). */
export interface SettingsStore {
  get(key: string): Uint8Array | undefined;
  put(key: string, value: Uint8Array, options?: { sealed?: boolean }): void;
  /** Removes a key (a sealed one is erased from flash). */
  delete?(key: string): void;
  /** Keys under a prefix (to name technicians in the log after a reboot). */
  keys?(prefix: string): string[];
}

export interface Settings {
  /**
   * `hub`: set by the hub (hub-schedules.ts): its schedules are its own, none means closed (a local
   * group without schedules is open around the clock); `holidaySegments` apply on holidays (default closed).
   */
  groups: Record<string, { bit: number; schedules: string[]; hub?: boolean; holidaySegments?: string[] }>;
  schedules: Record<string, { days: Weekday[]; from: number; to: number }>;
  holidays: Record<string, string>;
  config: Record<string, string>;
}

export const SETTINGS_KEY = "console/settings";
/** Group bit 0 is the default policy's always-open group; residents added without --groups join it. */
export const DEFAULT_GROUP = "all";


interface ConfigKey {
  doc: string;
  get(p: GatePolicy): string | number | boolean;
  set(p: GatePolicy, value: string): void;
}

function onOff(value: string): boolean {
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new OptgateError("E_BAD_SETTING", `Use on or off, not "${value.slice(0, 16)}".`);
}

function wholeNumber(value: string, min: number, max: number): number {
  const n = /^-?\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new OptgateError("E_BAD_SETTING", `Use a whole number ${min}..${max}.`);
  return n;
}

const MODES = ["card", "pin", "cardPin", "face", "facePin", "code"] as const;

function livenessSetting(value: string): LivenessSetting {
  if (value === "off") return "off";
  for (const check of LIVENESS_CHECKS) if (value === check) return check;
  throw new OptgateError("E_BAD_SETTING", `Use off or ${LIVENESS_CHECKS.join(" or ")}, not "${value.slice(0, 16)}".`);
}

export const CONFIG: Record<string, ConfigKey> = {
  ...Object.fromEntries(MODES.map((m) => [`mode.${m}`, {
    doc: `accept ${m} at this gate (on/off)`,
    get: (p: GatePolicy) => p.modes[m],
    set: (p: GatePolicy, v: string) => { p.modes[m] = onOff(v); },
  }])),
  "mode.faceOneToN": {
    doc: "face 1:N: the bare face key searches all consenting residents (on/off; off = resident number, then A: 1:1)",
    get: (p) => p.modes.faceOneToN === true,
    set: (p, v) => { p.modes.faceOneToN = onOff(v); },
  },
  // Whether this gate's face model can run the check is asked where the setting is typed
  // (console-backend.ts configSet): the table only knows the names.
  "face.liveness": {
    doc: "check each face frame for a presentation attack before matching (off/antispoof; never measured against photos or screens: docs/face-models.md)",
    get: (p) => p.faceLiveness ?? "off",
    set: (p, v) => { p.faceLiveness = livenessSetting(v); },
  },
  "pin.min": { doc: "shortest new PIN (older, shorter PINs keep working and are flagged)", get: (p) => p.pinLength.min, set: (p, v) => { p.pinLength.min = wholeNumber(v, 4, 12); } },
  "pin.max": { doc: "longest PIN accepted at the keypad", get: (p) => p.pinLength.max, set: (p, v) => { p.pinLength.max = wholeNumber(v, 4, 12); } },
  "lockout.keypad": { doc: "failures the keypad (and the card reader) absorbs before attempts wait", get: (p) => p.lockout.keypadThreshold, set: (p, v) => { p.lockout.keypadThreshold = wholeNumber(v, 1, 20); } },
  "lockout.resident": { doc: "wrong PINs for one resident before their PIN is refused (one leaks away per hour)", get: (p) => p.lockout.residentThreshold, set: (p, v) => { p.lockout.residentThreshold = wholeNumber(v, 1, 20); } },
  "timezone": {
    doc: "POSIX TZ string: CST-8 (China), CET-1CEST,M3.5.0,M10.5.0/3 (central Europe); minutes east of UTC (480) also work",
    get: (p) => p.timeZone,
    // Settings written before zones were strings hold minutes: they keep meaning a fixed offset.
    set: (p, v) => { p.timeZone = /^-?\d+$/.test(v) ? fixedOffsetZone(wholeNumber(v, -840, 840)) : parseTimeZone(v).spec; },
  },
};

/** The gate policy these settings give, on top of the policy now in force. */
export function settingsPolicy(s: Settings, now: CompiledPolicy): GatePolicy {
  const policy: GatePolicy = {
    gateId: now.gateId, modes: { ...now.modes }, pinLength: { ...now.pinLength }, lockout: { ...now.lockout },
    timeZone: now.timeZone, clockFloorMs: now.clockFloorMs, faceLiveness: now.faceLiveness, groups: [],
  };
  for (const key of Object.keys(s.config)) own(CONFIG, key)?.set(policy, s.config[key]);
  const holidays = Object.keys(s.holidays).sort();
  for (const name of Object.keys(s.groups)) {
    const g = s.groups[name];
    const spec: ScheduleSpec = { week: {} };
    if (g.schedules.length === 0 && !g.hub) {
      for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const) spec.week[day] = ["00:00-24:00"];
    } else {
      for (const sname of g.schedules) {
        const sc = s.schedules[sname];
        if (!sc) continue;
        for (const day of sc.days) (spec.week[day] ??= []).push(`${formatTime(sc.from)}-${formatTime(sc.to)}`);
      }
      spec.holidays = holidays;
      if (g.holidaySegments) spec.holidaySegments = [...g.holidaySegments];
    }
    policy.groups.push({ group: g.bit, schedule: spec });
  }
  return policy;
}

/**
 * What a gate enforces while its stored settings cannot be read (flash
 * damage): card and PIN together, nothing else (no card alone, no PIN alone,
 * no face, no visitor codes). No configuration of the modes is looser. Access
 * groups, schedules and holidays are lost with the settings: the gate falls
 * back to the single group "all" around the clock, so residents filed only
 * in other groups are refused until a technician sets the groups again. The
 * status shows it as DAMAGE; the next settings change a technician makes
 * (config set, group add, ...) stores readable settings again.
 */
export const FAIL_SAFE_CONFIG: Readonly<Record<string, string>> = {
  "mode.card": "off", "mode.pin": "off", "mode.cardPin": "on", "mode.face": "off", "mode.facePin": "off", "mode.code": "off", "mode.faceOneToN": "off",
};

function freshSettings(): Settings {
  return { groups: { [DEFAULT_GROUP]: { bit: 0, schedules: [] } }, schedules: {}, holidays: {}, config: {} };
}

/** The fail-safe settings (FAIL_SAFE_CONFIG over the fresh ones). */
export function failSafeSettings(): Settings {
  return { ...freshSettings(), config: { ...FAIL_SAFE_CONFIG } };
}

/** Settings from their stored bytes; none gives the fresh defaults. Throws E_SETTINGS_DAMAGED when they cannot be read. */
export function loadSettings(bytes: Uint8Array | undefined): Settings {
  if (!bytes) return freshSettings();
  const damaged = (what: string) => new OptgateError("E_SETTINGS_DAMAGED", `the stored settings ${what}`);
  let parsed: unknown;
  try {
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    parsed = JSON.parse(text);
  } catch {
    throw damaged("do not parse");
  }
  if (!isTable(parsed)) throw damaged("are not a table");
  const fresh = freshSettings();
  const s: Settings = {
    groups: (parsed.groups ?? fresh.groups) as Settings["groups"], schedules: (parsed.schedules ?? {}) as Settings["schedules"],
    holidays: (parsed.holidays ?? {}) as Settings["holidays"], config: (parsed.config ?? {}) as Settings["config"],
  };
  const ok = isTable(s.groups) && isTable(s.schedules) && isTable(s.holidays) && isTable(s.config)
    && Object.values(s.groups).every((g) => isTable(g) && Number.isInteger(g.bit) && (g.bit as number) >= 0 && (g.bit as number) < 32 && isStrings(g.schedules)
      && (g.hub === undefined || typeof g.hub === "boolean") && (g.holidaySegments === undefined || isStrings(g.holidaySegments)))
    && Object.values(s.schedules).every((sc) => isTable(sc) && isStrings(sc.days) && Number.isFinite(sc.from) && Number.isFinite(sc.to))
    && Object.values(s.holidays).every((h) => typeof h === "string")
    && Object.keys(s.config).every((k) => own(CONFIG, k) !== undefined && typeof s.config[k] === "string");
  if (!ok) throw damaged("hold impossible values");
  return s;
}

/**
 * The stored settings, applied to the gate through `apply`. Settings that
 * cannot be read or applied (flash damage, or `lost`: the store lost their
 * newest record) give the fail-safe ones (FAIL_SAFE_CONFIG), never the
 * built-in defaults, which may be looser than what was configured; `damage` says so.
 */
export function loadStoredSettings(store: SettingsStore | undefined, lost: boolean, apply: (settings: Settings) => void, watermarks?: Watermarks): { settings: Settings; damage?: string } {
  try {
    if (lost) throw new OptgateError("E_SETTINGS_DAMAGED", "the newest stored settings were lost");
    const bytes = store?.get(SETTINGS_KEY);
    if (watermarks?.settingsRolledBack(bytes)) throw new OptgateError("E_SETTINGS_DAMAGED", "the stored settings are not the last ones written (the newest were lost)");
    const settings = loadSettings(bytes);
    if (bytes) apply(settings);
    return { settings };
  } catch (error) {
    const why = error instanceof OptgateError ? error.message : "the stored settings do not apply";
    const settings = failSafeSettings();
    apply(settings);
    return { settings, damage: `settings unreadable (${why}): fail-safe policy in force (card + PIN only; groups other than "${DEFAULT_GROUP}" closed) until a technician changes a setting` };
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

export function dateKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function clone(s: Settings): Settings {
  return JSON.parse(JSON.stringify(s)) as Settings;
}

/** Settings and config tables are plain objects: a name like "constructor" must not reach the prototype. */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
