// The device entry (src/app/main.ts → createDeviceBoard() → startFirmware())
// inside XS, with the Moddable modules the board imports replaced by
// stand-ins over chip models (test/boards/esp32s3-gate/stand-ins): the board
// opens UART0 as the pin map says, formats the store on the "storage"
// partition, lays out the 256-d matcher, keeps the camera and strike off,
// and the technician console answers on the UART. Its "facemodel" partition
// is erased here, so face stays off with the reason in the log. Not the hardware itself:
// that is docs/board-build.md.
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "../../../tools/xs/bundle";
import { runInXs } from "../../../tools/xs/run";

const standIn = (name: string) => path.join(repoRoot, "test/boards/esp32s3-gate/stand-ins", `${name}.ts`);

const entry = `
import main from "./src/app/main";
import { advanceTimers, startTimers, timerNow } from "./boards/host/timer";
import Serial from "./test/boards/esp32s3-gate/stand-ins/serial";
import { world, hw, outputChip, wifi } from "./test/boards/esp32s3-gate/stand-ins/rig";
import { layouts } from "./test/boards/esp32s3-gate/stand-ins/matcher";
import { calls as faceKernelCalls } from "./test/boards/esp32s3-gate/stand-ins/face-kernel";
import { PIN_MAP } from "./boards/esp32s3-gate/pin-map";
const logs = [];
globalThis.trace = (line) => logs.push(String(line));
const text = (bytes) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return s; };
const run = (ms) => {
  for (let t = 0; t < ms; t += 10) {
    world.rawTicks += 10;
    hw.clock.now += 10;
    advanceTimers(timerNow() + 10);
    Serial.current.drain();
    wifi.run(10);
  }
};
startTimers(0);
world.rawTicks = 0x7fffff00; // Time.ticks about to turn negative (24.8 days up)
main();
run(600);
const out = {};
out.banner = text(world.uartOut);
world.uartOut.length = 0;
Serial.current.type("help\\r");
run(300);
out.help = text(world.uartOut);
const o = world.uartOptions;
out.uart = { port: o.port, transmit: o.transmit, receive: o.receive, baud: o.baud, format: o.format };
out.layouts = layouts;
out.faceKernelCalls = faceKernelCalls;
out.logs = logs;
const out0 = PIN_MAP.expander.outputs;
out.cameraPowerLevel = outputChip.pins.pin(out0.cameraPower).level;
out.cameraLedLevel = outputChip.pins.pin(out0.cameraIndicator).level;
out.relayLevel = hw.gpio.pin(PIN_MAP.pin.relay).level;
out.boots = world.preferences.get("optgate/boots");
out.wifi = { mode: wifi.mode ?? null, connectCalls: wifi.connectCalls.length };
issueCommand(new TextEncoder().encode(JSON.stringify(out)).buffer);
`;

/** The Moddable modules the board imports, each replaced by its stand-in. */
const aliases = {
  "embedded:io/digital": standIn("digital"),
  "embedded:io/i2c": standIn("i2c"),
  "embedded:io/spi": standIn("spi"),
  "embedded:io/serial": standIn("serial"),
  "embedded:io/image/in/camera": standIn("camera"),
  "mc/config": standIn("config"),
  time: standIn("time"),
  preference: standIn("preference"),
  wifi: standIn("wifi"),
  net: standIn("net"),
  "embedded:io/socket/tcp": standIn("tcp"),
  "ssl/session": standIn("tls-engine"),
  "ssl/cert": standIn("tls-engine"),
  x509: standIn("tls-engine"),
  timer: path.join(repoRoot, "boards/host/timer.ts"),
  flash: path.join(repoRoot, "test/core/store/moddable-flash.ts"),
  "./matcher": standIn("matcher"),
  "./face-kernel-native": standIn("face-kernel"),
  "./key-root": standIn("key-root"),
};

/** Boots the device entry once for the whole file. */
let booted: Promise<any> | undefined;
function boot(): Promise<any> {
  booted ??= runInXs("device-board-entry.ts", { contents: entry, resolveDir: repoRoot, aliases }).then(({ messages }) => JSON.parse(messages[0]));
  return booted;
}

// The board's own network ports, without the firmware (which hands the
// network its settings): Wi-Fi joins the rig's access point through the
// `wifi` module, its address comes from `net`, and the password stays out of
// every log line; the TCP socket class resolves a broker's name with `net`.
const networkEntry = `
import { createDeviceBoard } from "./boards/esp32s3-gate/board";
import { advanceTimers, startTimers, timerNow } from "./boards/host/timer";
import { wifi, world } from "./test/boards/esp32s3-gate/stand-ins/rig";
const logs = [];
globalThis.trace = (line) => logs.push(String(line));
const run = (ms) => { for (let t = 0; t < ms; t += 10) { advanceTimers(timerNow() + 10); wifi.run(10); } };
startTimers(0);
const board = createDeviceBoard();
const out = { before: board.network.status() };
wifi.ap.password = "wrong password";
board.network.connect({ ssid: "Office", password: "correct horse" });
out.joining = board.network.status();
run(20000);
out.rejected = board.network.status();
wifi.ap.password = "correct horse";
run(120000);
out.joined = board.network.status();
out.connectCalls = wifi.connectCalls;
out.logs = logs;
// The hub link's socket by the broker's name, and by a name nobody knows.
let errors = 0;
new board.tcp({ host: "hub.example.org", port: 1883, onError: () => errors++ });
new board.tcp({ host: "nowhere.invalid", port: 1883, onError: () => errors++ });
Promise.resolve().then(() => Promise.resolve()).then(() => {
  out.tcpOpens = world.tcpOpens;
  out.tcpErrors = errors;
  out.tls = typeof board.tls;
  issueCommand(new TextEncoder().encode(JSON.stringify(out)).buffer);
});
`;

describe("esp32s3-gate device board boots the firmware (XS, stand-ins for the Moddable modules)", () => {
  it("opens UART0 at 115200, formats the store, keeps camera and strike off, and the console answers", async function () {
    this.timeout(60_000);
    const out = await boot();
    assert.deepEqual(out.uart, { port: 0, transmit: 43, receive: 44, baud: 115200, format: "buffer" });
    assert.match(out.banner, /technician console\. Type help\./);
    assert.match(out.help, /login/);
    assert.deepEqual(out.layouts, [{ dimension: 256, capacity: 1024 }]);
    assert.ok(out.logs.some((line: string) => /booting on esp32s3-gate: store formatted/.test(line)), out.logs.join(""));
    assert.ok(!out.logs.some((line: string) => /^(drivers|gate|console): /.test(line)), `a part failed while ticking: ${out.logs.join("")}`);
    assert.ok(out.logs.some((line: string) => /no technician account: installation mode is open/.test(line)), "an erased board offers installation mode");
    assert.equal(out.boots, 1, "the boot is counted in NVS until the gate has served a minute");
    assert.equal(out.cameraPowerLevel, 1, "camera switch (active low) off");
    assert.equal(out.cameraLedLevel, 1, "privacy LED (active low) off");
    assert.equal(out.relayLevel, 0, "strike relay off");
    assert.deepEqual(out.wifi, { mode: null, connectCalls: 0 }, "the radio stays off until the firmware hands the board Wi-Fi settings");
  });

  it("with the face model partition erased, face is off with the reason, before any kernel is touched", async function () {
    this.timeout(60_000);
    const out = await boot();
    assert.ok(out.logs.some((line: string) => /^face off: The face model could not be loaded \(E_FACE_MODEL_PARTITION: The face model partition holds no embedder image at byte 0 \(erased or never written\?\)/.test(line)), out.logs.join(""));
    assert.deepEqual(out.faceKernelCalls, []);
  });

  it("offers Moddable's TCP socket (broker names looked up first) and a Wi-Fi station over the wifi module that keeps the password to itself", async function () {
    this.timeout(60_000);
    const { messages } = await runInXs("device-board-network.ts", { contents: networkEntry, resolveDir: repoRoot, aliases });
    const out = JSON.parse(messages[0]);
    assert.deepEqual(out.tcpOpens, ["10.0.0.5:1883"], "the broker's name is resolved, then embedded:io/socket/tcp opened at its address");
    assert.equal(out.tcpErrors, 1, "an unknown name reports an error");
    assert.equal(out.tls, "function", "the board offers the TLS socket for hub transport tls");
    assert.equal(out.before, "off");
    assert.equal(out.joining, "connecting Office");
    assert.equal(out.rejected, "failed: Office rejected the password (set it again: wifi set)");
    assert.equal(out.joined, "connected 192.168.1.50");
    assert.deepEqual(out.connectCalls[0], { ssid: "Office", password: "correct horse" });
    const logs = out.logs.join("");
    assert.match(logs, /wifi: connected to Office as 192\.168\.1\.50/);
    assert.doesNotMatch(logs, /correct horse/);
  });
});
