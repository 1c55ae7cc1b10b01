// The firmware: opens the store (power-loss recovery first), assembles the
// core, opens the peripherals and runs everything from one repeating timer.
// Board-specific parts arrive in `board` (src/app/board.ts).
//
//   const firmware = new Firmware(board);   // boots (src/app/supervisor.ts's startFirmware runs it)
//   firmware.tick(); firmware.status()      // every TICK_MS; for the console and the simulator
import { Console } from "../core/console/console";
import { makeTechnician } from "../core/console/technicians";
import { OptgateError } from "../core/errors";
import type { DiagResult, DiagTarget } from "../core/console/backend";
import { LogStore } from "../core/store/log-store";
import type { Signal } from "../core/gate/ports";
import type { DoorAlarm, GateDecision } from "../core/gate/gate";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../core/version";
import type { Board } from "./board";
import { CoreConsoleBackend } from "./console-backend";
import { GateCore } from "./core";
import { KEYPAD_ID } from "./gate-adapters";
import { StoreTemplateVault, StoredNoticeBoard, auditRegistryDamage, describeDamage, guarded, openRegistry, readConsentRecords, restoreConsent, storeConsentRecord, type StoredRegistry } from "./persistence";
import { Registry } from "../core/access/registry";
import { formatResidentId } from "../core/access/types";
import { SETTINGS_KEY, type SettingsStore } from "./console-settings";
import { Installation } from "./installation";
import { Watermarks } from "./watermarks";
import { AuditStore, SECURITY_HELD, loadAuditKeys } from "./audit-store";
import type { AuditTrail } from "../core/audit/audit-trail";
import { PIN_KEY, clearPinKeyDamage, loadPinKey } from "./pin-key";
import { COMPOUND_PIN_KEY, loadCompoundPinKey } from "./compound-pin-key";
import { PinReports } from "./pin-reports";
import { GateHardware } from "./hardware";
import { ClockSource } from "./clock-source";
import { openRtc, quarantined, trustedSetRecord, versionList, withoutDamaged } from "./firmware-helpers";
import { auditSetCutShort, eraseTakenAway, openFleet } from "./fleet";
import type { FleetLink } from "./fleet-link";
import { hubSocket } from "./fleet-transport";
import { HUB_SETTINGS_KEY, readBrokerPassword, readHubSettings, readHubTls, readWifiSettings, writeHubSettings, type HubSettings, type WifiSettings } from "./hub-settings";
import { openSyncState, type SyncState } from "./sync-persistence";
import { openSealedChanges } from "../core/sync/sealed-codes";
import type { OpenSealed } from "../core/sync/registry-apply";

/** Driver polls, keypad scans and face steps run every TICK_MS. */
export const TICK_MS = 10;

export interface FirmwareStatus {
  name: string;
  version: string;
  board: string;
  unlocked: boolean;
  doorOpen: boolean;
  cameraPowered: boolean;
  prompt: string;
  signal: Signal;
  keypadStage: string;
  /** Digits typed in the current keypad field (a count only: never the digits). */
  keypadDigits: number;
  residents: number;
  decisions: readonly GateDecision[];
}

export class Firmware {
  readonly mode = "serving";
  readonly board: Board;
  readonly store: LogStore;
  readonly core: GateCore;
  readonly hardware: GateHardware;
  readonly backend: CoreConsoleBackend;
  /** The technician console (on the board's UART / USB-CDC link). */
  readonly terminal: Console;
  /** Installation mode (no technician account yet, or they were lost). */
  readonly installation: Installation;
  /** Where the wall clock came from (RTC, technician, board) and the RTC's word on it. */
  readonly clock: ClockSource;
  /** What boot dropped or replaced beyond the store's own report, one DAMAGE line each. */
  readonly damage: string[] = [];
  /** The audit trail on flash (undefined when it could not be opened: the trail then lives in RAM). */
  auditStore: AuditStore | undefined;
  /** Told about every gate decision (the simulator's screen, diagnostics). */
  onDecision?: (decision: GateDecision) => void;
  /** Told about door alarms (forced open, held open), after they are audited. */
  onAlarm?: (kind: DoorAlarm, now: number) => void;
  /** The link to the fleet hub, while one is configured and the board has a network (fleet.ts). */
  fleet: FleetLink | undefined;
  /** Fleet sync's state on flash (undefined when the registry could not be loaded). */
  readonly #syncState: SyncState | undefined;
  /** The store as settings see it (a key whose newest record was lost reads as absent). */
  #settings!: SettingsStore;
  /** The Wi-Fi settings last handed to the board's network. */
  #wifi: WifiSettings | undefined;
  /** Why a configured hub link is not running (status for `hub show`). */
  #fleetWhyNot: string | undefined;
  /** The link's last refusal (TLS: the broker's certificate, a plain broker) until it connects; each reason audited once per start. */
  #linkRefusal: string | undefined;
  readonly #refusalsAudited = new Set<string>();
  /** Work the TCP link defers to the next tick (it may not call back into the client from inside a call). */
  readonly #deferred: (() => void)[] = [];
  #prompt = "";
  #key: Uint8Array;
  #pinKeyDamage: string | undefined;
  /** Why the compound PIN key cannot be used, until one is installed again. */
  #compoundKeyDamage: string | undefined;
  /** PINs set here under the compound key, kept for the hub (none without an audit store: nothing to sign with). */
  #pinReports: PinReports | undefined;
  /** Consecutive ticks in which a part threw, per part. */
  readonly #failing = new Map<string, number>();

  /**
   * Boots: store recovery, then every loader, each of which treats damage as
   * data (keeps what verifies, drops and reports the rest). Throws only when
   * the gate cannot serve at all (the store cannot be opened, the hardware
   * does not open); startFirmware then runs the safe mode instead.
   */
  constructor(board: Board) {
    this.board = board;
    // With a key root the key area holds the store key wrapped: a flash dump opens no sealed value.
    this.store = LogStore.open(board.flash, { random: board.random, ...(board.keyRoot ? { keyWrap: board.keyRoot.derive("store-key-wrap") } : {}) });
    const report = this.store.report;
    board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booting on ${board.name}: store ${report.formatted ? "formatted" : `recovered ${report.records} records`}`);
    for (const line of describeDamage(report)) board.log(`store: ${line}`);
    // Before anything reads the wall clock (the audit log's first record at boot).
    this.clock = new ClockSource({
      rtc: openRtc(board),
      now: () => board.clock.now(),
      ticks: () => board.ticks(),
      setBoardClock: board.setClock ? (ms) => board.setClock!(ms) : undefined,
      onDrift: (drift, now) => this.#clockDrift(drift, now),
      trustedSet: trustedSetRecord(this.store),
      log: (line) => board.log(line),
    });
    this.clock.boot();
    this.hardware = new GateHardware({
      device: board.device,
      gate: () => this.core.gate,
      now: () => board.clock.now(),
      ticks: () => board.ticks(),
      prompt: (text) => {
        if (text !== this.#prompt) board.display?.(text);
        this.#prompt = text;
      },
      onError: (error) => board.log(`driver: ${error.message}`),
    });
    try {
      const store = this.store;
      // Keys whose newest record the store lost to damage (named by its header check).
      const damagedKeys = Object.keys(report.damagedKeys);
      const lost = (key: string) => damagedKeys.includes(key);
      const pinKey = loadPinKey(store, board.random, lost(PIN_KEY), (line) => board.log(line), board.keyRoot);
      const deviceKey = (this.#key = pinKey.key);
      this.#pinKeyDamage = pinKey.damage;
      const storeError = (error: OptgateError) => board.log(`store: ${error.message}`);
      const watermarks = new Watermarks(board.nvs);
      const consent = this.#load("consent records", () => readConsentRecords(store), { records: [], dropped: 0 });
      const newestNotice = consent.records.reduce((top, r) => Math.max(top, r.noticeVersion), 0);
      const notices = this.#load("notices", () => new StoredNoticeBoard(store, newestNotice, damagedKeys), undefined);
      if (report.streamHoles.consent) this.#note(`${report.streamHoles.consent} consent record(s) lost: face off for the residents concerned`);
      if (notices?.lost.length) this.#note(`notice version(s) ${versionList(notices.lost)} lost: consents under them dropped (face off for those residents)`);
      this.#settings = withoutDamaged(store, damagedKeys);
      const storedRegistry: StoredRegistry | undefined = this.#load("registry", () => openRegistry(store, { deviceKey, random: board.random, onDamage: (line) => this.#note(line), watermarks }, storeError), undefined);
      // The compound PIN key (installed sealed to this gate, `pin key install`): new PINs are made under it.
      const compoundKey = loadCompoundPinKey(store, lost(COMPOUND_PIN_KEY));
      this.#compoundKeyDamage = compoundKey.damage;
      if (compoundKey.damage) board.log(`damage: ${compoundKey.damage}`);
      if (compoundKey.key) storedRegistry?.registry.setCompoundPinKey(compoundKey.key);
      this.core = new GateCore({
        gateId: board.gateId,
        clock: board.clock,
        ticks: () => board.ticks(),
        random: board.random,
        deviceKey,
        registry: storedRegistry?.registry ?? quarantined(deviceKey, board.random),
        audit: this.#load("audit log", () => this.#openAudit(store, watermarks, storeError), undefined),
        notices, // without it (its loader failed) GateCore keeps notices in RAM only
        vault: new StoreTemplateVault(store, damagedKeys),
        onConsentRecord: (bytes) => storeConsentRecord(store, bytes, storeError),
        matcher: board.matcher,
        camera: this.hardware.camera,
        embedder: board.embedder,
        faceThresholds: board.faceThresholds,
        frame: this.hardware.frame,
        outputs: this.hardware.outputs,
        onDecision: (decision) => this.onDecision?.(decision),
        onAlarm: (kind, now) => this.onAlarm?.(kind, now),
      });
      // Breaks found at this boot are audited by the store and stay in status until acknowledged; the clock is untrusted until set.
      for (const b of this.auditStore?.found ?? []) board.log(`damage: audit chain break at ${b.log} ${b.seq} (${b.problem}); the clock is untrusted until a technician sets it`);
      if (this.core.registry.damage !== undefined) {
        board.log(`registry quarantined (${this.core.registry.damage}): every credential is denied until a technician re-imports or clears it`);
        this.#step("audit", () => auditRegistryDamage(this.core.audit, this.core.registry, board.clock.now()));
      }
      const droppedConsents = this.#load("consent records", () => restoreConsent(this.core.ledger, this.core.notices, consent), 0);
      if (droppedConsents) this.#note(`${droppedConsents} consent record(s) dropped: face off for the residents concerned`);
      // Templates come back only with consent still in force; the rest are erased now.
      const faces = this.#load("face gallery", () => this.core.gallery.restore(board.clock.now()), undefined);
      if (faces?.erased.length) board.log(`erased ${faces.erased.length} face template(s) without consent in force`);
      if (faces?.damaged.length) this.#note(`${faces.damaged.length} face template(s) unreadable and erased: face off for those residents until they enrol again`);
      if (faces?.reenrol.length) this.#note(`${faces.reenrol.length} face template(s) from another face model erased (${faces.reenrol.join(", ")}): re-enrol them with face enrol; their consent is kept, card and PIN unaffected`);
      if (faces?.kept.length) this.#note(`${faces.kept.length} face template(s) could not be erased (store refused): never loaded`);
      this.#step("face flags", () => this.core.syncFaceFlags());
      this.#syncState = storedRegistry && this.#load("fleet sync state", () => openSyncState(store, storedRegistry, {
        gateId: board.gateId, onDamage: (line) => this.#note(line), onError: storeError, openSealed: this.#codeOpener(storedRegistry.registry, deviceKey),
        auditSeq: () => this.core.audit.security.head().seq,
      }), undefined);
      const due = this.#syncState?.auditDue;
      if (due) this.#step("the newest hub set's audit record", () => { auditSetCutShort(this.core.audit, due, board.clock.now()); });
      // A PIN set here under the compound key is reported to the hub (pin-reports.ts), after the registry stored it.
      const auditStore = this.auditStore;
      if (storedRegistry && auditStore) {
        const core = this.core;
        const reports = (this.#pinReports = new PinReports({
          store, gateId: board.gateId, sign: (bytes) => auditStore.sign(bytes), log: (line) => board.log(line),
          trustedNow: () => { const now = board.clock.now(); return core.access.clockTrusted(now) ? now : undefined; },
        }));
        // The report and its seq go in the group that records the change: a power cut keeps both or neither.
        storedRegistry.registry.onChange = (bytes) => {
          const pin = reports.reportFor(bytes);
          guarded(storeError, () => {
            storedRegistry.record([bytes], pin?.ops);
            if (pin) reports.kept(pin);
          });
        };
      }
      // Templates a hub set took away before a power cut go before anything is served, hub link or not.
      const syncState = this.#syncState;
      if (syncState) this.#step("templates taken away by the hub", () => { eraseTakenAway(this.core, syncState, board.clock.now()); });
      // Guessing limits as they stood before the reboot: a power cut hands out no fresh attempts.
      this.#step("guessing limits", () => this.core.access.restoreLimits(KEYPAD_ID));
      const hardware = this.hardware;
      const accounts = () => this.backend.hasTechnician();
      this.installation = new Installation({ hasTechnician: accounts, exitPressed: () => hardware.exit.pressed, ticks: () => board.ticks() });
      this.backend = new CoreConsoleBackend({
        core: this.core,
        clock: board.clock,
        random: board.random,
        settings: this.#settings,
        settingsLost: lost(SETTINGS_KEY),
        watermarks,
        auditStore: this.auditStore,
        pinKey: {
          key: compoundKey.key,
          damage: () => this.#compoundKeyDamage,
          onInstalled: () => { this.#compoundKeyDamage = undefined; },
        },
        hooks: {
          openDoor: (seconds) => hardware.relay.unlock(seconds * 1000, board.ticks()),
          setClock: board.setClock ? (time) => this.clock.set(time) : undefined,
          clock: () => this.clock.report,
          peripherals: () => ({
            door: hardware.door.open ? "open" : "closed",
            reader: hardware.reader.tagPresent ? "card present" : "ready",
            keypad: this.core.gate.keypadStage,
            cameraPowered: hardware.camera.powered,
          }),
          storage: () => {
            const stats = this.store.stats();
            return { usedBytes: stats.liveBytes, totalBytes: stats.liveLimit, damage: this.damageLines() };
          },
          diag: (target) => this.#diag(target),
          installation: this.installation,
          damageClear: () => this.#damageClear(),
          hubStatus: () => {
            const status = this.fleet?.status() ?? (this.#fleetWhyNot ?? "not connected");
            const link = this.fleet && this.#linkRefusal ? `${status}; refused: ${this.#linkRefusal}` : status;
            return board.network ? `${link}; network ${board.network.status()}` : link;
          },
          onFleetSettingsChanged: () => {
            this.#joinNetwork();
            this.#startFleet();
          },
        },
      });
      // A hub set's schedules and holidays are checked and stored as the console's own settings.
      if (this.#syncState) this.#syncState.policy = this.backend.hubPolicy;
      if (this.backend.settingsDamage) this.#note(this.backend.settingsDamage, false);
      const unreadable = this.backend.unreadableTechnicians();
      if (unreadable.length) this.#note(`technician account(s) ${unreadable.join(", ")} unreadable: they cannot log in${this.installation.open ? "; installation mode is open" : ""}`);
      if (pinKey.foundNow && pinKey.damage) this.#auditDamage();
      this.terminal = new Console({
        port: board.console,
        clock: board.clock,
        random: board.random,
        deviceKey,
        backend: this.backend,
        audit: this.backend.audit,
        technicians: this.backend.technicians,
      });
      this.terminal.start();
      if (this.installation.open) board.log("no technician account: installation mode is open (install <id> at the console, exit button held at the gate)");
      for (const line of this.damage) this.#auditDamage(line);
      this.#joinNetwork(true);
      this.#startFleet(true);
    } catch (error) {
      this.hardware.close();
      throw error;
    }
  }

  /**
   * The audit trail from flash, keyed from the key root when the board has
   * one. A store that cannot even be read for it leaves a RAM-only trail.
   */
  #openAudit(store: LogStore, watermarks: Watermarks, onError: (error: OptgateError) => void): AuditTrail {
    const board = this.board;
    const keys = loadAuditKeys(store, board.random, board.keyRoot ? (label) => board.keyRoot!.derive(label) : undefined);
    this.auditStore = new AuditStore({ store, keys, watermarks, gateId: board.gateId, now: board.clock.now(), onError });
    return this.auditStore.trail;
  }

  /** Hands the board's network the stored Wi-Fi settings when they changed (the ESP32-S3 joins or leaves Wi-Fi). */
  #joinNetwork(atBoot = false): void {
    const network = this.board.network;
    if (!network) return;
    const { settings, damage } = readWifiSettings(this.#settings);
    if (damage && atBoot) this.#note(damage);
    const same = settings?.ssid === this.#wifi?.ssid && settings?.password === this.#wifi?.password;
    if (!atBoot && same) return;
    this.#wifi = settings;
    this.#step("network", () => network.connect(settings));
  }

  /**
   * (Re)starts the hub link from the stored settings (none: the gate runs
   * unconnected). Offline first: nothing here can stop the gate serving.
   */
  #startFleet(atBoot = false): void {
    this.fleet?.stop();
    this.fleet = undefined;
    this.core.withdrawal.onWithdrawn = undefined;
    this.core.onEnrolled = undefined;
    this.core.faceHold = undefined;
    this.#fleetWhyNot = undefined;
    this.#linkRefusal = undefined;
    this.#refusalsAudited.clear();
    const { settings, damage } = readHubSettings(this.#settings);
    if (damage && atBoot) this.#note(damage);
    if (atBoot && this.store.report.damagedKeys[HUB_SETTINGS_KEY]) this.#note("hub settings lost to flash damage: this gate stays off the fleet hub until an installer sets them again (hub set)");
    if (!settings) return;
    const board = this.board;
    const missing = !board.tcp ? "no network socket on this board" : !this.auditStore ? "no gate key (the audit log is in RAM only)" : !this.#syncState ? "the registry could not be loaded" : undefined;
    if (missing) {
      this.#fleetWhyNot = `not started: ${missing}`;
      board.log(`fleet: hub configured but ${this.#fleetWhyNot}`);
      return;
    }
    const defer = (fn: () => void) => { this.#deferred.push(fn); };
    const socket = hubSocket({
      board, settings, tls: readHubTls(this.#settings), defer,
      trustedNow: () => { const now = board.clock.now(); return this.core.access.clockTrusted(now) ? now : undefined; },
      onRefused: (why) => this.#linkRefused(why),
      onSecured: () => { this.#linkRefusal = undefined; },
    });
    if ("whyNot" in socket) {
      this.#fleetWhyNot = `not started: ${socket.whyNot}`;
      board.log(`fleet: hub configured but ${this.#fleetWhyNot}`);
      this.#linkRefused(socket.whyNot, false);
      return;
    }
    this.fleet = this.#load("fleet link", () => openFleet({
      board, store: this.store, core: this.core, auditStore: this.auditStore!, sync: this.#syncState!, settings, io: socket.io, pins: this.#pinReports,
      setClock: (time, trusted) => this.clock.hubSet(time, trusted),
      password: readBrokerPassword(this.#settings).settings,
      defer,
      log: (line) => board.log(line),
    }), undefined);
    this.fleet?.start();
  }

  /** A link that must not or could not connect: logged each time, audited once per reason and start (a refusing broker is retried for days). */
  #linkRefused(why: string, log = true): void {
    this.#linkRefusal = why;
    if (log) this.board.log(`fleet: link refused: ${why}`);
    if (this.#refusalsAudited.has(why)) return;
    this.#refusalsAudited.add(why);
    this.#step("audit", () => this.core.audit.append({ time: this.board.clock.now(), actorKind: "system", actor: 0, kind: "sync-refused", decision: "deny", reason: "bad-input", detail: why.slice(0, 40) }));
  }

  /** Opens codes the hub sealed to this gate (none without a gate key: such a set is refused). */
  #codeOpener(registry: Registry, deviceKey: Uint8Array): OpenSealed | undefined {
    const auditStore = this.auditStore;
    if (!auditStore) return undefined;
    return (changes, full) => {
      const keys = auditStore.sealKeys; // derived at the first set, not at boot
      if (!keys) throw new OptgateError("E_SEAL_BAD_KEY", "This gate has no seal key: codes sealed to it cannot be opened.");
      return openSealedChanges(changes, full, {
        gateId: this.board.gateId, keys, deviceKey, find: (code) => registry.findCode(code),
        unopened: (id, why) => {
          const now = this.board.clock.now();
          this.core.audit.append({ time: this.core.access.clockTrusted(now) ? now : 0, actorKind: "system", actor: 0, kind: "sync-refused", decision: "deny", reason: "bad-input", detail: `code for ${formatResidentId(id)} ${why}` });
        },
      });
    };
  }

  /** This gate as the hub knows it: its id, the public key its acks, receipts and heads verify with, and the X25519 key codes are sealed to. */
  gateIdentity(): { gateId: number; publicKey: Uint8Array; sealKey?: Uint8Array } | undefined {
    if (!this.auditStore) return undefined;
    const seal = this.auditStore.sealKeys;
    return { gateId: this.board.gateId, publicKey: this.auditStore.publicKey, ...(seal ? { sealKey: seal.publicKey.slice() } : {}) };
  }

  /** Stores the hub settings (undefined: none) and restarts the link: provisioning and the console's hub commands. */
  provisionHub(settings: HubSettings | undefined): void {
    writeHubSettings(this.#settings, settings);
    this.#startFleet();
  }

  /** Installs the compound PIN key sealed to this gate (base64), as `pin key install` does: provisioning and the simulator. */
  installPinKey(sealed: string): void {
    if (!this.backend.pinKey) throw new OptgateError("E_UNSUPPORTED", "This gate keeps no compound PIN key.");
    this.backend.pinKey.install("system", sealed);
  }

  /** One line about the hub link, or undefined when no hub is configured. */
  fleetStatus(): string | undefined {
    return this.fleet?.status();
  }

  /** Every DAMAGE line: the store's recovery report, the loaders' findings, a replaced PIN key. */
  damageLines(): string[] {
    const dropped = this.auditStore?.droppedUnexported ?? 0;
    return [
      ...describeDamage(this.store.report), ...this.damage, ...(this.#pinKeyDamage ? [this.#pinKeyDamage] : []),
      ...(this.#compoundKeyDamage ? [this.#compoundKeyDamage] : []),
      ...(dropped ? [`${dropped} security audit record(s) dropped before they were exported (the store keeps ${SECURITY_HELD}): export the log more often (optgate log)`] : []),
    ];
  }

  /** Releases every pin (before safe mode takes over the relay and the inputs). */
  close(): void {
    this.hardware.close();
  }

  /** Consecutive ticks the most failing part has thrown in (0 when the last tick ran clean). */
  get failingTicks(): number {
    let worst = 0;
    for (const n of this.#failing.values()) worst = Math.max(worst, n);
    return worst;
  }

  #note(line: string, log = true): void {
    this.damage.push(line);
    if (log) this.board.log(`damage: ${line}`);
  }

  /** One store-damage audit record, its detail the start of the DAMAGE line (status has it all). */
  #auditDamage(line?: string): void {
    this.#step("audit", () => this.core.audit.append({ time: this.board.clock.now(), actorKind: "system", actor: 0, kind: "store-damage", decision: "info", reason: "info", ...(line ? { detail: line } : {}) }));
  }

  #damageClear(): string[] {
    const cleared: string[] = [];
    if (this.#pinKeyDamage && clearPinKeyDamage(this.store)) cleared.push(this.#pinKeyDamage);
    this.#pinKeyDamage = undefined;
    return cleared;
  }

  /** A loader that throws anyway loses only its own part: noted as DAMAGE, `fallback` is used. */
  #load<T>(what: string, load: () => T, fallback: T): T {
    try {
      return load();
    } catch (error) {
      this.#note(`${what} could not be loaded (${error instanceof OptgateError ? error.code : error instanceof Error ? error.name : "fault"}): left out`);
      return fallback;
    }
  }

  #step(what: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.board.log(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The board clock and the RTC disagree beyond the bound: audited and logged (status shows it). */
  #clockDrift(driftMs: number, now: number): void {
    this.board.log(`clock: board clock ${driftMs > 0 ? "ahead of" : "behind"} the RTC by ${Math.round(Math.abs(driftMs) / 1000)} s`);
    this.#step("audit", () => this.core.audit.append({ time: now, actorKind: "system", actor: 0, kind: "clock-drift", decision: "info", reason: "info" }));
  }

  /**
   * One timer tick: drivers on monotonic time, the core on wall-clock time.
   * A fault in one part is logged and the next tick runs again: a gate must
   * not stop opening for cards because something else threw once.
   */
  tick(): void {
    this.#guard("drivers", () => this.hardware.tick(this.board.ticks()));
    this.#guard("clock", () => this.clock.tick());
    this.#guard("gate", () => this.core.tick(this.board.clock.now()));
    this.#guard("console", () => this.terminal.tick());
    this.#guard("installation", () => this.installation.tick());
    this.#guard("fleet", () => {
      for (const fn of this.#deferred.splice(0)) fn();
      this.fleet?.tick(this.board.ticks());
    });
  }

  #guard(part: string, step: () => void): void {
    try {
      step();
      this.#failing.delete(part);
    } catch (error) {
      const n = (this.#failing.get(part) ?? 0) + 1;
      this.#failing.set(part, n);
      // A part that throws on every tick is reported once, then at each power of two.
      if ((n & (n - 1)) === 0) this.board.log(`${part}: ${error instanceof Error ? error.message : String(error)}${n > 1 ? ` (${n} ticks in a row)` : ""}`);
    }
  }

  /**
   * Provisioning: the first technician account, created at installation (the
   * console's "tech add" needs someone logged in). Refuses an existing id.
   */
  addTechnician(id: string, password: string): void {
    if (this.backend.technicians.find(id)) throw new OptgateError("E_TECH_EXISTS", `Technician ${id} already exists; use passwd at the console.`);
    // The first account looks after the gate: accounts, keys and settings.
    this.backend.technicians.save(makeTechnician(this.#key, this.board.random, id, password, "installer"));
  }

  /** Bytes from the console UART / USB-CDC. */
  receiveConsole(bytes: Uint8Array): void {
    this.terminal.receive(bytes);
  }

  status(): FirmwareStatus {
    const gate = this.core.gate;
    return {
      name: FIRMWARE_NAME,
      version: FIRMWARE_VERSION,
      board: this.board.name,
      unlocked: this.hardware.relay.unlocked,
      doorOpen: this.hardware.door.open,
      cameraPowered: this.hardware.camera.powered,
      prompt: this.#prompt,
      signal: this.hardware.indicator.signal,
      keypadStage: gate.keypadStage,
      keypadDigits: gate.keypadDigits,
      residents: this.core.registry.size,
      decisions: gate.recent,
    };
  }

  /** Self-checks a technician can run from the console (no secrets in the details). */
  #diag(target: DiagTarget): DiagResult[] {
    const hw = this.hardware;
    const results: DiagResult[] = [];
    const all = target === "all";
    if (all || target === "reader") {
      const version = hw.reader.chip.version();
      const { reads, errors, resets } = hw.reader.stats;
      results.push({ test: "reader", ok: version === 0x91 || version === 0x92, detail: `MFRC522 version 0x${version.toString(16)}, ${reads} reads, ${errors} errors, ${resets} resets` });
    }
    if (all || target === "keypad") {
      results.push({ test: "keypad", ok: true, detail: `scanning; entry stage ${this.core.gate.keypadStage}` });
    }
    if (all || target === "relay") {
      results.push({ test: "relay", ok: true, detail: `${hw.relay.unlocked ? "unlocked" : "locked"}, door ${hw.door.open ? "open" : "closed"}` });
    }
    if (all || target === "store") {
      const stats = this.store.stats();
      const report = this.store.report;
      results.push({ test: "store", ok: !report.keyLost, detail: `${stats.liveBytes} of ${stats.liveLimit} bytes live, ${stats.freeSectors} free sectors; boot recovery kept ${report.records} records, dropped ${report.droppedRecords}` });
    }
    return results;
  }
}

export interface BoardInfo {
  name: string;
  log(line: string): void;
}

/** Boot banner only: what the Moddable lin build runs (src/app/lin-main.ts), which has no gate hardware. */
export function boot(board: BoardInfo): { name: string; version: string; board: string } {
  const state = { name: FIRMWARE_NAME, version: FIRMWARE_VERSION, board: board.name };
  board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booted on ${board.name}`);
  return state;
}
