// The scripted day (scripted-day.ts) measured: the camera was on exactly
// during face-session windows, never during card or PIN use, never at a gate
// without consenting residents, and no frame, embedding, probe or template
// byte reached the store, the log or the console.
import assert from "node:assert/strict";
import { utf8 } from "../../../src/core/crypto";
import { LeakScanner } from "./leak-scan";
import { runScriptedDay } from "./scripted-day";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const EVENTS = XS ? 1_000 : 10_000;

describe("face/scripted day", () => {
  let day: ReturnType<typeof runScriptedDay>;
  before(function () {
    this.timeout(120_000);
    day = runScriptedDay(EVENTS);
  });

  it(`runs ${EVENTS} mixed events`, () => {
    const { stats } = day;
    assert.ok(stats.card > EVENTS * 0.25 && stats.pin > EVENTS * 0.2 && stats.face > EVENTS * 0.3, JSON.stringify(stats));
    assert.ok(stats.withdrawals >= EVENTS / 500, JSON.stringify(stats));
  });

  it("had the camera on exactly during the face-session windows", () => {
    const { w, results, dayLogStart } = day;
    const log = w.camera.log.slice(dayLogStart);
    assert.equal(log.length, results.length * 2);
    let windows = 0;
    results.forEach((result, i) => {
      assert.deepEqual(log[2 * i], { on: true, at: result.cameraOnAt });
      assert.deepEqual(log[2 * i + 1], { on: false, at: result.cameraOffAt });
      windows += result.cameraOffAt - result.cameraOnAt;
    });
    assert.equal(w.session.cameraOnMs, windows);
    // The camera's own log, independently of the session's bookkeeping.
    let onTime = 0;
    for (let i = 0; i < log.length; i += 2) onTime += log[i + 1].at - log[i].at;
    assert.equal(onTime, windows);
    assert.ok(!w.camera.powered);
    assert.ok(windows > 0);
  });

  it("never powered the camera at a gate without consenting residents", () => {
    const { stats, southCamera } = day;
    assert.ok(stats.southKey > 0);
    assert.deepEqual(southCamera.log, []);
  });

  it("matched genuine residents, and never a stranger, a wrong resident or a withdrawn one", () => {
    const { stats } = day;
    assert.equal(stats.falseMatches, 0, JSON.stringify(stats));
    assert.equal(stats.withdrawnMatched, 0);
    assert.ok(stats.genuineMatched / stats.genuine > 0.9, JSON.stringify(stats));
  });

  it("wrote no frame, embedding, probe or template byte in clear to the store, log or console", function () {
    this.timeout(60_000);
    const { outputs, secrets } = day;
    const scanner = new LeakScanner();
    for (const bytes of outputs) scanner.indexOutput(bytes);
    assert.ok(scanner.bytesIndexed > 10_000, `${scanner.bytesIndexed} output bytes scanned`);
    const kinds = new Set(secrets.map((s) => s.what));
    assert.deepEqual([...kinds].sort(), ["embedding", "frame", "probe", "template"]);
    let hits = 0;
    for (const s of secrets) hits += scanner.hits(s.bytes, s.stride);
    assert.equal(hits, 0);
  });

  it("(control) the scan does find secret bytes when they are written", () => {
    const { secrets } = day;
    const scanner = new LeakScanner();
    const template = secrets.find((s) => s.what === "template")!.bytes;
    const frame = secrets.find((s) => s.what === "frame")!.bytes;
    scanner.indexOutput(utf8("audit: "));
    scanner.indexOutput(Uint8Array.from([1, 2, 3, ...template.subarray(40, 60), 4]));
    scanner.indexOutput(frame.subarray(100, 140));
    assert.ok(scanner.hits(template) > 0);
    assert.ok(scanner.hits(frame, 4) > 0);
  });
});
