// Host board entry, bundled for xsnap-worker: the firmware runs inside XS on
// the host board (chip models), and the Node simulator (tools/sim/) drives it
// through handleCommand(): see protocol.ts for the messages and link.ts for
// the flash round trips.
import { Pcf8563Model } from "../../test/models/pcf8563";
import type { Firmware } from "../../src/app/firmware";
import { startFirmware } from "../../src/app/start";
import type { Supervisor } from "../../src/app/supervisor";
import { fromHex, toHex } from "../../src/core/crypto";
import { HOST_PINS, HostBoard } from "./board";
import { seedDemoCompound, seedFleetDemo } from "./demo-seed";
import { decodeJson, encodeJson } from "./link";
import type { HostCommand, HostEvent, HostState } from "./protocol";
import Timer, { advanceTimers, startTimers, timerNow } from "./timer";

const events: HostEvent[] = [];
let host: HostBoard | undefined;
let firmware: Firmware | undefined;
let gate: Supervisor | undefined;

function state(): HostState {
  const now = timerNow();
  if (host && gate?.safeMode) {
    return {
      now, booted: true, safeMode: gate.safeMode.reason, relay: host.level(HOST_PINS.relay), doorOpen: host.level(HOST_PINS.door),
      leds: { green: host.level(HOST_PINS.ledGreen), red: host.level(HOST_PINS.ledRed), camera: host.level(HOST_PINS.cameraLed) },
      buzzer: host.level(HOST_PINS.buzzer), signal: "alarm", cameraPowered: host.level(HOST_PINS.cameraPower), prompt: "", keypad: "", decisions: [],
    };
  }
  if (!host || !firmware) {
    return { now, booted: false, relay: false, doorOpen: false, leds: {}, buzzer: false, signal: "idle", cameraPowered: false, prompt: "", keypad: "", decisions: [] };
  }
  const status = firmware.status();
  return {
    now,
    booted: true,
    relay: host.level(HOST_PINS.relay),
    doorOpen: host.level(HOST_PINS.door),
    leds: { green: host.level(HOST_PINS.ledGreen), red: host.level(HOST_PINS.ledRed), camera: host.level(HOST_PINS.cameraLed) },
    buzzer: host.level(HOST_PINS.buzzer),
    signal: status.signal,
    cameraPowered: host.level(HOST_PINS.cameraPower),
    cardInField: host.cardInField,
    faceInView: sceneText(host.camera.scene),
    prompt: status.prompt,
    keypad: status.keypadStage === "idle" && status.keypadDigits === 0 ? "" : `${status.keypadStage} ${"●".repeat(status.keypadDigits)}`,
    decisions: status.decisions.slice(),
    gate: gateView(firmware),
  };
}

function gateView(f: Firmware): HostState["gate"] {
  const identity = f.gateIdentity();
  const fleet = f.fleetStatus();
  return { id: f.board.gateId, ...(identity ? { publicKey: toHex(identity.publicKey) } : {}), ...(identity?.sealKey ? { sealKey: toHex(identity.sealKey) } : {}), ...(fleet ? { fleet } : {}) };
}

function sceneText(scene: HostBoard["camera"]["scene"]): string | undefined {
  if (!scene) return undefined;
  if (scene.kind === "photo") return `photo ${scene.label}`;
  return `${scene.kind}${scene.identity ? ` #${scene.identity}` : ""}`;
}

function handle(command: HostCommand): void {
  if (command.t === "boot") {
    startTimers(command.now);
    let rtc: Pcf8563Model | undefined;
    if (command.rtc !== undefined) {
      rtc = new Pcf8563Model(() => timerNow());
      if (command.rtc !== null) rtc.preset(command.rtc);
    }
    host = new HostBoard({ gateId: command.gateId, flash: command.flash, seed: fromHex(command.seed), events, rtc, clockLost: command.clockLost, ...(command.keyRoot ? { keyRoot: fromHex(command.keyRoot) } : {}), embedder: command.embedder });
    gate = startFirmware(host.board);
    firmware = gate.firmware;
    if (!firmware) return; // safe mode: exit button, door alarms and the console only
    firmware.onDecision = (decision) => events.push({ e: "decision", decision: { ...decision } });
    firmware.onAlarm = (kind, time) => events.push({ e: "alarm", kind, time });
    if (command.demo === "fleet") {
      if (seedFleetDemo(firmware, command.now)) events.push({ e: "log", line: "seeded the demo technician and notice (residents come from the hub)" });
    } else if (command.demo && seedDemoCompound(firmware, host.camera, command.now)) events.push({ e: "log", line: "seeded the demo compound" });
    return;
  }
  if (!host || !gate) throw new Error(`the board has not booted (got ${command.t})`);
  const running = gate;
  const board = host;
  switch (command.t) {
    case "tick":
      board.syncClock(command.now);
      advanceTimers(command.now);
      return;
    case "card": board.cardOn(command.uid); return;
    case "card-off": board.cardOff(); return;
    case "key":
      board.pressKey(command.key);
      Timer.set(() => board.releaseKey(command.key), command.holdMs ?? 80);
      return;
    case "face": board.camera.scene = { kind: command.kind, identity: command.identity ?? (command.kind === "impostor" ? 999_999 : 0) }; return;
    case "face-off": board.camera.scene = undefined; return;
    case "photo": board.camera.scene = { kind: "photo", label: command.label }; return;
    case "camera-broken": board.camera.broken = command.broken; return;
    case "door": board.setDoor(command.open); return;
    case "exit":
      board.setExitButton(true);
      Timer.set(() => board.setExitButton(false), 200);
      return;
    case "serial": running.receiveConsole(Uint8Array.from(command.data, (c) => c.charCodeAt(0))); return;
    case "state": return;
    case "tcp-connected": board.network.connected(command.id); return;
    case "tcp-data": board.network.data(command.id, command.data); return;
    case "tcp-written": board.network.written(command.id, command.count); return;
    case "tcp-error": board.network.error(command.id); return;
    case "hub": {
      if (!firmware) throw new Error("the gate runs in safe mode: no hub link");
      const s = command.settings;
      firmware.provisionHub(s ? { compoundId: s.compoundId, host: s.host, port: s.port, hubKeys: s.hubKeys.map((k) => fromHex(k)) } : undefined);
      return;
    }
    case "pin-key": {
      if (!firmware) throw new Error("the gate runs in safe mode: no PIN key");
      firmware.installPinKey(command.sealed);
      return;
    }
  }
}

(globalThis as Record<string, unknown>).handleCommand = (message: ArrayBuffer): ArrayBuffer => {
  try {
    handle(decodeJson(message) as HostCommand);
  } catch (error) {
    events.push({ e: "error", message: String(error) });
  }
  const reply = encodeJson({ events, state: state() });
  events.length = 0;
  return reply;
};
