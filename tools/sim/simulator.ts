// The gate simulator, Node side. It boots the real firmware bundle inside the
// XS engine (xsnap-worker) with the host board, then only relays: time (ticks),
// user actions (tap a card, press keys, show a face, open the door), console
// bytes, and flash operations against the image file. Everything the gate
// does happens inside XS; this file implements nothing of the core.
//
//   const sim = await startSimulator({ image: null, startTime: Date.UTC(2026, 2, 2, 8) });
//   await sim.tapCard("04a1b2c3"); await sim.advance(1000); sim.state.relay …
//   await sim.close();
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { DecisionView, FaceKind, HostCommand, HostEmbedderSpec, HostEvent, HostReply, HostState } from "../../boards/host/protocol";
import { repoRoot } from "../xs/bundle";
import { XsWorker } from "../xs/xsnap";
import { bundleHostFirmware } from "./bundle";
import type { Flash } from "../../src/core/store/flash";
import { openSimFlash, type SimFlash } from "./flash";
import type { BoardModelOptions } from "../face-model/board-pipeline";
import { BoardFaceModel } from "./board-face-model";
import { HostFaceModel, type SimEmbedder } from "./face-model";
import { PhotoScene } from "./photo";
import { TcpRelay } from "./tcp-relay";

export interface SimulatorOptions {
  /** Flash image file; null keeps the flash in RAM only (tests). Default .sim/optgate.flash. */
  image?: string | null;
  /** Start from an erased flash (the image file is overwritten). */
  fresh?: boolean;
  /** Simulated wall-clock time at boot (ms since epoch). Default: now. */
  startTime?: number;
  /** Tick period of simulated time (ms). */
  tickMs?: number;
  /**
   * Seed the demo compound when the flash holds no residents; "fleet": only
   * its technician and notice (the hub owns the residents of a fleet gate).
   */
  demo?: boolean | "fleet";
  /** Run the clock in real time (interactive use). Tests move time with advance(). */
  realtime?: boolean;
  /** Use this flash (e.g. a RAM one shared across boots, with power-cut injection) instead of the image. */
  flash?: SimFlash;
  onEvent?: (event: HostEvent) => void;
  /** Bytes the firmware wrote to its console UART. */
  onSerial?: (bytes: Uint8Array) => void;
  /**
   * The board's battery-backed RTC at boot: "kept" (it held the start time
   * through the power cut) or "lost" (battery flat: VL set). Either way the
   * MCU clock starts at 1970, as the ESP32-S3's does. Default: no RTC story,
   * the board clock simply reads the start time.
   */
  rtc?: "kept" | "lost";
  /** The gate's id in its compound (default 1): a fleet of simulated gates gives each its own. */
  gateId?: number;
  /** Computron limit per command; a runaway loop stops the worker. */
  meteringLimit?: number;
  /**
   * The face model: "synthetic" (default; deterministic, recognises only
   * synthetic frames), "real" (the packaged host pipeline, tools/face/, with
   * its measured thresholds; frames are pictures, e.g. photos from showPhoto())
   * or "board" (the board's int8 kernel from build/face-model: board-face-model.ts).
   */
  embedder?: SimEmbedder;
  /** With `embedder: "board"`: where its model images are (tests hand in damaged copies). */
  boardModel?: BoardModelOptions;
  /**
   * With `embedder: "real"`: this loaded model instead of the default one
   * (tests hand in one with their own liveness scorer, HostFaceModel.load({ liveness })).
   */
  hostFaceModel?: HostFaceModel;
}

export const DEFAULT_IMAGE = path.join(repoRoot, ".sim/optgate.flash");

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Flash ops arrive from XS as 'R'|'W'|'E' + u32 + u32 (+ data): see boards/host/link.ts. */
function flashOp(flash: Flash, bytes: Uint8Array): Uint8Array | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const a = view.getUint32(1, true);
  const b = view.getUint32(5, true);
  try {
    switch (bytes[0]) {
      case 0x52: return flash.read(a, b);
      case 0x57: flash.write(a, bytes.subarray(9, 9 + b)); return "";
      case 0x45: flash.erase(a); return "";
    }
    return `!unknown flash operation ${bytes[0]}`;
  } catch (error) {
    return `!${(error as Error).message}`;
  }
}

/** Answers the board's camera-frame request ('C', boards/host/link.ts) from the photo in front of the camera. */
function photoFrameOp(scene: PhotoScene, bytes: Uint8Array): Uint8Array | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = bytes[9] === 2 ? "rgb565" : bytes[9] === 1 ? "gray8" : undefined;
  if (!format) return `!camera: unknown frame format ${bytes[9]}`;
  try {
    return scene.frame({ width: view.getUint32(1, true), height: view.getUint32(5, true), format }) ?? new Uint8Array(0);
  } catch (error) {
    return `!camera: ${(error as Error).message}`;
  }
}

export class Simulator {
  readonly flash: SimFlash;
  /** What stands in front of the camera when it is a photo (the pixels stay on this side). */
  readonly photo = new PhotoScene();
  readonly embedder: SimEmbedder;
  /** The real model's tag, size and thresholds (absent with the synthetic embedder). */
  readonly model?: HostEmbedderSpec;
  state: HostState;
  /** Every event since boot (decisions, camera power, prompts, logs). */
  readonly events: HostEvent[] = [];
  /** Everything the firmware wrote on its console since boot. */
  serialText = "";
  /** XS computrons spent by the firmware since boot (deterministic cost, for benchmarks). */
  computrons = 0;
  #worker: XsWorker;
  #options: SimulatorOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #now: number;
  #timer?: NodeJS.Timeout;
  /** In real time: the simulated time at a wall-clock instant (advance and jump move simStart on). */
  #realtime?: { wallStart: number; simStart: number };
  #closed = false;
  #dead?: Error;
  /** Real connections for the board's TCP sockets (boards/host/tcp.ts). */
  #tcp = new TcpRelay((command) => this.#send(command).catch(() => undefined));

  private constructor(worker: XsWorker, flash: SimFlash, options: SimulatorOptions, now: number, model?: HostEmbedderSpec) {
    this.#worker = worker;
    this.flash = flash;
    this.#options = options;
    this.#now = now;
    this.embedder = options.embedder ?? "synthetic";
    this.model = model;
    this.state = { now, booted: false, relay: false, doorOpen: false, leds: {}, buzzer: false, signal: "idle", cameraPowered: false, prompt: "", keypad: "", decisions: [] };
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const script = await bundleHostFirmware();
    const model = options.embedder === "real" ? options.hostFaceModel ?? await HostFaceModel.load() : options.embedder === "board" ? BoardFaceModel.load(options.boardModel) : undefined;
    const flash = options.flash ?? openSimFlash(options.image === undefined ? DEFAULT_IMAGE : options.image, options.fresh ?? false);
    let sim: Simulator | undefined;
    const worker = new XsWorker({
      meteringLimit: options.meteringLimit ?? 5_000_000_000,
      output: "pipe",
      // The calls XS makes while it runs (boards/host/link.ts): flash operations,
      // and inside face sessions camera frames of a photo and the real model.
      onCommand: (bytes) => {
        if (bytes[0] === 0x43 || bytes[0] === 0x46) {
          const answer = bytes[0] === 0x43 ? (sim ? photoFrameOp(sim.photo, bytes) : new Uint8Array(0)) : (model?.answer(bytes) ?? "!no real face model on this simulator");
          // The worker copies the answer into its message at once; then our copy of a frame or embedding goes.
          if (answer instanceof Uint8Array) queueMicrotask(() => answer.fill(0));
          bytes.fill(0);
          return answer;
        }
        const answer = flashOp(flash.flash, bytes);
        // Power gone mid-operation: the firmware must not run one more instruction.
        if (flash.nor.dead && sim) sim.#lostPower();
        return answer;
      },
    });
    // XS `print` output (diagnostics) goes to our stderr only when asked for.
    worker.output?.on("data", (chunk: Buffer) => { if (process.env.OPTGATE_SIM_TRACE) process.stderr.write(chunk); });
    const now = options.startTime ?? Date.now();
    sim = new Simulator(worker, flash, options, now, model?.spec);
    try {
      await worker.evaluate(script);
      await sim.#send({ t: "boot", now, flash: { size: flash.flash.size, sectorSize: flash.flash.sectorSize }, demo: options.demo ?? true, seed: randomBytes(32).toString("hex"), ...(flash.keyRoot ? { keyRoot: Buffer.from(flash.keyRoot).toString("hex") } : {}), ...(options.rtc ? { rtc: options.rtc === "kept" ? now : null, clockLost: true } : {}), ...(model ? { embedder: model.spec } : {}), ...(options.gateId !== undefined ? { gateId: options.gateId } : {}) });
      if (!sim.state.booted) {
        const why = sim.events.flatMap((e) => (e.e === "error" ? [e.message] : [])).join("; ");
        throw new Error(`the firmware did not boot: ${why || "no reason given"}`);
      }
    } catch (error) {
      await worker.close();
      if (!options.flash) flash.close();
      throw error;
    }
    if (options.realtime) sim.#runRealtime();
    return sim;
  }

  /** The face model in one line, as the simulator's screen shows it (a synthetic one says so). */
  get faceModel(): string {
    const m = this.model;
    if (!m) return "synthetic embedder (SIMULATION ONLY: recognises synthetic people, sees no face in a photo)";
    if (m.unavailable !== undefined) return `board face model REFUSED: face entry off, use card or PIN (${m.unavailable})`;
    const t = m.thresholds;
    const what = this.embedder === "board" ? "int8 kernel as on the board" : "packaged host pipeline";
    return `${m.id} v${m.version}, ${m.dimension}-d, ${what} (1:1 at cos ≥ ${t.verify}; 1:N at ${t.identify}, margin ${t.margin})`;
  }

  get now(): number {
    return this.#now;
  }

  get decisions(): DecisionView[] {
    return this.events.flatMap((e) => (e.e === "decision" ? [e.decision] : []));
  }

  /** Camera power changes since boot: {on, time}. */
  get cameraLog(): { on: boolean; time: number }[] {
    return this.events.flatMap((e) => (e.e === "camera" ? [{ on: e.on, time: e.time }] : []));
  }

  get prompts(): string[] {
    return this.events.flatMap((e) => (e.e === "prompt" ? [e.text] : []));
  }

  /**
   * Move simulated time forward in ticks (timers, driver polls and timeouts run on the way).
   * In real time this fast-forwards: the wall clock carries on from where it leaves the board.
   * (It used to tick ahead while the next wall tick set the time back, and a typed key could
   * then be pressed again before the board had released the one before.)
   */
  async advance(ms: number): Promise<void> {
    const step = this.#options.tickMs ?? 10;
    const end = this.#now + ms;
    while (this.#now < end) {
      const next = Math.min(end, this.#now + step);
      if (this.#realtime) this.#realtime.simStart += next - this.#now;
      this.#now = next;
      await this.#send({ t: "tick", now: this.#now });
    }
  }

  /** Jump the clock (e.g. overnight) in one tick: as if the board had been idle. */
  async jump(ms: number): Promise<void> {
    if (this.#realtime) this.#realtime.simStart += ms;
    this.#now += ms;
    await this.#send({ t: "tick", now: this.#now });
  }

  tapCard(uidHex: string): Promise<HostReply> { return this.#send({ t: "card", uid: uidHex.toLowerCase() }); }
  removeCard(): Promise<HostReply> { return this.#send({ t: "card-off" }); }
  /**
   * Hold a card in the field long enough for the reader to see it, then take
   * it away and wait until the reader has noticed (it reports a card once per
   * presentation, so the same card can only count again after that).
   */
  async presentCard(uidHex: string, holdMs = 300): Promise<void> {
    await this.tapCard(uidHex);
    await this.advance(holdMs);
    await this.removeCard();
    await this.advance(600);
  }

  /** Press one keypad key; the host board releases it after `holdMs` of simulated time. */
  pressKey(key: string, holdMs = 80): Promise<HostReply> { return this.#send({ t: "key", key, holdMs }); }

  /** Press and release each key in turn, letting (simulated or real) time pass. */
  async type(keys: string, holdMs = 80): Promise<void> {
    for (const key of keys) {
      await this.pressKey(key, holdMs);
      await this.advance(holdMs + 60);
    }
  }

  /** A synthetic person in front of the camera (the synthetic embedder recognises these; a real model sees no face). */
  showFace(kind: FaceKind, identity?: number): Promise<HostReply> {
    this.photo.clear();
    return this.#send({ t: "face", kind, identity });
  }

  /** Nobody in front of the camera: an empty scene (a photo is taken away). */
  hideFace(): Promise<HostReply> {
    this.photo.clear();
    return this.#send({ t: "face-off" });
  }

  /**
   * Holds the photo in `file` (PNG, JPEG or PGM) up to the camera: the next
   * face session's frames (and an enrolment's captures) show it. The file is
   * read and decoded here; a missing, corrupt or unsupported file rejects with
   * a sentence saying so and changes nothing. The synthetic embedder sees no
   * face in a photo: use `embedder: "real"`.
   */
  async showPhoto(file: string): Promise<HostReply> {
    if (this.#closed) throw new Error("simulator is closed");
    const label = this.photo.show(file);
    return this.#send({ t: "photo", label });
  }

  /** Takes the photo away: nobody in front of the camera. */
  hidePhoto(): Promise<HostReply> { return this.hideFace(); }

  /** This gate as the hub's addGate needs it: its id, public key and seal key (codes issued at the hub are sealed to it). */
  identity(): { gateId: number; publicKey: Uint8Array; sealKey?: Uint8Array } {
    const g = this.state.gate;
    if (!g?.publicKey) throw new Error("this gate has no signing key (no audit store), so it cannot join a hub");
    return { gateId: g.id, publicKey: Uint8Array.from(Buffer.from(g.publicKey, "hex")), ...(g.sealKey ? { sealKey: Uint8Array.from(Buffer.from(g.sealKey, "hex")) } : {}) };
  }

  /** Provisions the hub (as `hub set` at the console would); null takes the gate off. */
  provisionHub(settings: { compoundId: number; host: string; port: number; hubKeys: Uint8Array[] } | null): Promise<HostReply> {
    return this.#send({ t: "hub", settings: settings && { ...settings, hubKeys: settings.hubKeys.map((k) => Buffer.from(k).toString("hex")) } });
  }

  /** Installs the compound PIN key sealed to this gate (base64), as `pin key install` at its console would. */
  installPinKey(sealed: string): Promise<HostReply> {
    return this.#send({ t: "pin-key", sealed });
  }

  /** The hub link's state in one line, or undefined when no hub is configured. */
  get fleetStatus(): string | undefined {
    return this.state.gate?.fleet;
  }

  breakCamera(broken: boolean): Promise<HostReply> { return this.#send({ t: "camera-broken", broken }); }
  setDoor(open: boolean): Promise<HostReply> { return this.#send({ t: "door", open }); }
  pressExit(): Promise<HostReply> { return this.#send({ t: "exit" }); }

  /** Bytes typed on the console (as a terminal would send them). */
  serial(data: string | Uint8Array): Promise<HostReply> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return this.#send({ t: "serial", data: text });
  }

  /** Type a console line and let the firmware answer; returns what it printed. */
  async consoleLine(line: string): Promise<string> {
    const before = this.serialText.length;
    await this.serial(`${line}\r`);
    await this.advance(50);
    return this.serialText.slice(before);
  }

  #lostPower(): void {
    this.#dead ??= new Error("power cut");
    this.#stopRealtime();
    this.#tcp.close();
    void this.#worker.close();
  }

  /** Cut the power: the worker dies mid-whatever, nothing more reaches the flash. */
  async powerCut(): Promise<void> {
    this.#stopRealtime();
    this.#tcp.close();
    this.#closed = true;
    await this.#worker.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#stopRealtime();
    await this.#queue.catch(() => undefined);
    this.#closed = true;
    this.#tcp.close();
    this.photo.clear();
    await this.#worker.close();
    if (!this.#options.flash) this.flash.close();
  }

  /** Set when the firmware stopped (power cut during a flash op, runaway loop, crash). */
  get dead(): Error | undefined {
    return this.#dead;
  }

  #send(command: HostCommand): Promise<HostReply> {
    const run = async (): Promise<HostReply> => {
      if (this.#closed) throw new Error("simulator is closed");
      if (this.#dead) throw this.#dead;
      let reply;
      try {
        reply = await this.#worker.command(encoder.encode(JSON.stringify(command)));
      } catch (error) {
        this.#dead = error as Error;
        throw error;
      }
      // Power went during this command: nothing it did reached the outside world.
      if (this.#dead) throw this.#dead;
      this.computrons += reply.meter.compute;
      const answer = JSON.parse(decoder.decode(reply.result)) as HostReply;
      for (const event of answer.events) this.#event(event);
      this.state = answer.state;
      return answer;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #event(event: HostEvent): void {
    if (event.e === "serial") {
      this.serialText += event.data;
      this.#options.onSerial?.(Uint8Array.from(event.data, (c) => c.charCodeAt(0)));
    }
    if (event.e.startsWith("tcp-")) {
      this.#tcp.event(event);
      return;
    }
    this.events.push(event);
    this.#options.onEvent?.(event);
  }

  #runRealtime(): void {
    const step = this.#options.tickMs ?? 10;
    const clock = this.#realtime = { wallStart: performance.now(), simStart: this.#now };
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy || this.#closed) return;
      busy = true;
      this.#now = Math.max(this.#now, clock.simStart + Math.round(performance.now() - clock.wallStart));
      this.#send({ t: "tick", now: this.#now }).catch(() => undefined).finally(() => { busy = false; });
    }, step);
  }

  #stopRealtime(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return Simulator.start(options);
}
