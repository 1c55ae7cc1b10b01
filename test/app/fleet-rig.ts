// Node only. Several real firmwares (src/app/firmware.ts on the host board's
// chip models, as host-firmware-rig.ts boots one) with real TCP sockets
// (test/support/node-tcp-socket.ts) towards a real broker and hub. Simulated
// time moves in firmware ticks; between two ticks the event loop runs, so
// network bytes arrive between ticks as they would on a board.
import assert from "node:assert/strict";
import type { HostBoard as HostBoardType } from "../../boards/host/board";
import { NorFlash } from "../../boards/host/nor-flash";
import type { HostEvent } from "../../boards/host/protocol";
import type { Firmware as FirmwareType } from "../../src/app/firmware";
import type { GateDecision } from "../../src/core/gate/gate";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import type { Db } from "../../tools/hub/db";
import { startHubService, type HubService } from "../../tools/hub/service";
import { NodeTcpSocket } from "../support/node-tcp-socket";
import { mapTimerModule } from "./host-firmware-rig";

const STEP_MS = 10;
/** Simulated time runs at most this many times faster than real time. */
const MAX_SPEEDUP = 4;
export const TECH = { id: "tech", password: "fleet-tech-pass-1" };

export interface RigGate {
  gateId: number;
  firmware: FirmwareType;
  host: HostBoardType;
  flash: NorFlash;
  decisions: GateDecision[];
  /** What the host board's probes saw (camera supply, strike), on the monotonic timer clock. */
  events: HostEvent[];
  logs: string[];
  /** The sockets this gate opened. */
  sockets: NodeTcpSocket[];
  /** While true the gate's network is down: its connections are reset and new ones refused (FleetRig.partition). */
  partitioned: boolean;
  ticking: unknown;
}

type Timer = typeof import("../../boards/host/timer");

export class FleetRig {
  readonly gates = new Map<number, RigGate>();
  now: number;
  #timer: Timer;
  #Firmware: typeof FirmwareType;
  #HostBoard: typeof HostBoardType;
  #simStart: number;
  #realStart = Date.now();

  private constructor(timer: Timer, firmware: typeof FirmwareType, hostBoard: typeof HostBoardType, now: number) {
    this.#timer = timer;
    this.#Firmware = firmware;
    this.#HostBoard = hostBoard;
    this.now = now;
    this.#simStart = now;
  }

  /** Simulated time starts at the host's clock, so the gates' clocks agree with the hub's (Date.now()). */
  static async open(): Promise<FleetRig> {
    mapTimerModule();
    const { Firmware } = await import("../../src/app/firmware");
    const { HostBoard } = await import("../../boards/host/board");
    const timer = await import("../../boards/host/timer");
    const now = Date.now();
    timer.startTimers(now);
    return new FleetRig(timer, Firmware, HostBoard, now);
  }

  /** Boots a gate (or boots it again on the same flash: a power cut between ticks). */
  boot(gateId: number, flash = new NorFlash(2 * 1024 * 1024)): RigGate {
    const events: HostEvent[] = [];
    const host = new this.#HostBoard({ flash: { size: flash.size, sectorSize: 4096 }, seed: Uint8Array.from({ length: 32 }, (_, i) => gateId * 7 + i), events });
    const logs: string[] = [];
    const sockets: NodeTcpSocket[] = [];
    const net = { partitioned: false };
    const tcp = class extends NodeTcpSocket {
      constructor(options: ConstructorParameters<typeof NodeTcpSocket>[0]) {
        // Cut off: a port nothing listens on, so the connection is refused as an unreachable broker's would be.
        super(net.partitioned ? { ...options, address: "127.0.0.1", port: 1 } : options);
        sockets.push(this);
      }
    };
    const board = { ...host.board, gateId, flash, tcp, log: (line: string) => { logs.push(line); } };
    const firmware = new this.#Firmware(board);
    if (!firmware.backend.hasTechnician()) firmware.addTechnician(TECH.id, TECH.password);
    const decisions: GateDecision[] = [];
    firmware.onDecision = (d) => decisions.push({ ...d });
    const ticking = this.#timer.default.repeat(() => firmware.tick(), 10);
    const gate: RigGate = {
      gateId, firmware, host, flash, decisions, events, logs, sockets, ticking,
      get partitioned() { return net.partitioned; },
      set partitioned(on: boolean) { net.partitioned = on; },
    };
    this.gates.set(gateId, gate);
    return gate;
  }

  /** Advances simulated time by `ms`, letting the network run between ticks. */
  async run(ms: number): Promise<void> {
    const end = this.now + ms;
    while (this.now < end) await this.#step();
  }

  /**
   * Moves simulated time on by `ms` at once: the gates see one late tick (as
   * after a busy spell; late timers fire once), the broker and hub nothing.
   * Days pass in a test this way; `run` is for what must happen tick by tick.
   */
  async jump(ms: number): Promise<void> {
    this.now += Math.max(0, ms - STEP_MS);
    this.#simStart += Math.max(0, ms - STEP_MS);
    await this.#step();
  }

  /** Runs until `done()` holds, at most `maxMs` of simulated time. */
  async until(what: string, done: () => boolean | Promise<boolean>, maxMs = 60_000): Promise<void> {
    const end = this.now + maxMs;
    while (!(await done())) {
      if (this.now >= end) throw new Error(`timed out after ${maxMs} simulated ms waiting for ${what}`);
      await this.#step();
    }
  }

  async card(gate: RigGate, uidHex: string): Promise<void> {
    gate.host.cardOn(uidHex);
    await this.run(300);
    gate.host.cardOff();
    await this.run(600);
  }

  async keys(gate: RigGate, text: string): Promise<void> {
    for (const key of text) {
      gate.host.pressKey(key);
      await this.run(80);
      gate.host.releaseKey(key);
      await this.run(60);
    }
  }

  /** One console line; returns what the console wrote back. */
  async console(gate: RigGate, line: string): Promise<string> {
    let answer = "";
    const board = gate.firmware.board;
    const write = board.console.write;
    board.console.write = (data) => { answer += typeof data === "string" ? data : String.fromCharCode(...data); };
    try {
      gate.firmware.receiveConsole(Uint8Array.from(`${line}\r`, (c) => c.charCodeAt(0)));
      await this.run(50);
    } finally {
      board.console.write = write;
    }
    return answer;
  }

  /** Lines as the installer technician: login, the lines, logout; returns each line's answer. */
  async technician(gate: RigGate, lines: string[]): Promise<string[]> {
    await this.console(gate, `login ${TECH.id}`);
    await this.console(gate, TECH.password);
    const out: string[] = [];
    for (const line of lines) out.push(await this.console(gate, line));
    await this.console(gate, "logout");
    return out;
  }

  /** Cuts one gate's network (its connections reset, new ones refused) or gives it back; the gate runs on. */
  partition(gate: RigGate, on: boolean): void {
    gate.partitioned = on;
    if (on) for (const socket of gate.sockets) socket.cut();
  }

  /** Stops one gate's ticks and sockets without a goodbye (a power cut); its flash stays. */
  cut(gate: RigGate): void {
    this.#timer.default.clear(gate.ticking as never);
    for (const socket of gate.sockets) socket.node.destroy();
    this.gates.delete(gate.gateId);
  }

  close(): void {
    for (const gate of [...this.gates.values()]) this.cut(gate);
    NodeTcpSocket.made.length = 0;
  }

  async #step(): Promise<void> {
    this.now += STEP_MS;
    for (const gate of this.gates.values()) gate.host.syncClock(this.now);
    this.#timer.advanceTimers(this.now);
    // Simulated time may run ahead of the real hub and broker, but only so far: on a loaded
    // machine the gates' timeouts (answers within 10 s) must still mean what they mean.
    const ahead = this.now - this.#simStart - MAX_SPEEDUP * (Date.now() - this.#realStart);
    await new Promise((resolve) => (ahead > 0 ? setTimeout(resolve, Math.min(50, Math.ceil(ahead / MAX_SPEEDUP))) : setImmediate(resolve)));
  }
}

export interface HubFleet {
  broker: EmbeddedBroker;
  db: Db;
  service: HubService;
  rig: FleetRig;
  /** The gates booted, added at the hub and provisioned, in the order asked for. */
  gates: RigGate[];
  /** The hub settings a gate of this fleet is provisioned with. */
  hubSettings(): { compoundId: number; host: string; port: number; hubKeys: Uint8Array[] };
  /** Stops the gates, the hub, the broker and the database, in that order. */
  close(): Promise<void>;
}

export interface HubFleetOptions {
  /** A fresh database (test/tools/hub/servers.ts DATABASES[i].open). */
  openDb: () => Promise<Db>;
  compoundId: number;
  compoundName: string;
  signingSeed: Uint8Array;
  clientId: string;
  gateIds: number[];
  /** Register each gate's seal key at the hub too (codes and templates sealed to it). */
  sealKeys?: boolean;
  /** The hub reads the simulation's clock (rig.now) rather than the host's. */
  hubOnRigClock?: boolean;
  /** Home Assistant discovery on (tools/hub/home-assistant.ts). */
  homeAssistant?: boolean;
}

/**
 * The hub end to end: an embedded broker, a hub service on `openDb()`, one
 * compound, and real firmwares booted, added at the hub and provisioned
 * towards it. The caller waits for whatever "ready" means to its test.
 */
export async function openHubFleet(options: HubFleetOptions): Promise<HubFleet> {
  const broker = await startEmbeddedBroker();
  const db = await options.openDb();
  const rig = await FleetRig.open();
  const service = await startHubService({
    db, brokerUrl: broker.url, signingSeed: options.signingSeed, clientId: options.clientId, tickMs: 200,
    ...(options.hubOnRigClock ? { now: () => rig.now } : {}), ...(options.homeAssistant ? { homeAssistant: true } : {}),
  });
  const hubSettings = () => ({ compoundId: options.compoundId, host: "127.0.0.1", port: broker.port, hubKeys: [service.hub.publicKey] });
  const fleet: HubFleet = {
    broker, db, service, rig, gates: [], hubSettings,
    async close() {
      rig.close();
      await service.close();
      await broker.close();
      await db.close();
    },
  };
  try {
    await service.hub.addCompound(options.compoundId, options.compoundName);
    for (const gateId of options.gateIds) {
      const g = rig.boot(gateId);
      const identity = g.firmware.gateIdentity()!;
      assert.equal(identity.gateId, g.gateId);
      if (options.sealKeys) assert.ok(identity.sealKey && identity.sealKey.length === 32, "the gate publishes its seal key");
      await service.hub.addGate({ id: gateId, compoundId: options.compoundId, name: `gate ${gateId}`, publicKey: identity.publicKey, ...(options.sealKeys ? { sealKey: identity.sealKey } : {}) });
      g.firmware.provisionHub(hubSettings());
      fleet.gates.push(g);
    }
  } catch (error) {
    await fleet.close();
    throw error;
  }
  return fleet;
}

/**
 * Takes over the hub's message handler for one test. The first message `lose` picks is swallowed,
 * as by a hub process killed after the broker delivered it (mqtt.js acknowledges before the handler
 * runs) and before its database had it; `handled` lists the topics handled since. `restore()` puts
 * the handler back.
 */
export function killedHubLoses(hub: { receive(topic: string, payload: Uint8Array): Promise<void> }, lose: (topic: string) => boolean = () => false) {
  const receive = hub.receive.bind(hub);
  const seen = { lost: 0, handled: [] as string[], restore: () => { hub.receive = receive; } };
  hub.receive = async (topic, payload) => {
    if (seen.lost === 0 && lose(topic)) { seen.lost++; return; }
    await receive(topic, payload);
    seen.handled.push(topic);
  };
  return seen;
}
