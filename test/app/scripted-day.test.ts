// Issue 5's scripted day, portable size (runs in Node and inside XS): the gate
// assembled from the firmware's own parts (test/app/core-rig.ts), a few hundred
// mixed events, then (a) the camera was powered exactly during the face
// sessions and enrolments the core opened, never during a card or PIN event,
// and (b) no 16-byte stretch of any frame, embedding, probe, template, template
// key or the PIN key, and no resident's PIN, is in anything the gate wrote.
// The full 10,000-event day on the firmware itself: scripted-day.node.test.ts.
import assert from "node:assert/strict";
import { buildCoreRig } from "./core-rig";
import { checkCameraWindows, DayCapture, runScriptedDay, scanForLeaks, watchCameraWindows } from "./scripted-day";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const EVENTS = XS ? 120 : 500;

describe("scripted day over the assembled gate (portable)", () => {
  it(`${EVENTS} mixed events: camera on only in face windows, no secret bytes in any output`, () => {
    const capture = new DayCapture();
    const { gate, flash } = buildCoreRig(capture, 7);
    const windows = watchCameraWindows(gate.core, gate.now);
    const stats = runScriptedDay(gate, capture, { events: EVENTS, residents: XS ? 9 : 12 });

    // The script really exercised every path.
    assert.ok(stats.cardKnown > 0 && stats.pinRight > 0 && stats.faceGenuine > 0 && stats.consents > 4, JSON.stringify(stats));
    assert.ok(stats.faceGranted > 0, "genuine faces opened the gate");
    assert.equal(stats.cardPinCameraOff, stats.cardPinEvents, "the camera never moved during a card or PIN event");
    assert.equal(stats.faceNonConsentingCameraOff, stats.faceNonConsenting, "nor for a resident who never consented");

    // (a) Camera power log == the windows the core opened, to the millisecond.
    const sessions = windows.filter((w) => w.kind === "session");
    assert.ok(sessions.length > 0);
    const { onMs, windowMs } = checkCameraWindows(gate.cameraLog, windows);
    assert.equal(onMs, windowMs);
    assert.equal(gate.core.session.cameraOnMs, sessions.reduce((sum, w) => sum + w.end - w.start, 0), "the session's own count agrees");
    assert.equal(gate.cameraPowered(), false);

    // (b) Every byte written, plus the final raw flash image.
    capture.output(flash.image);
    assert.ok(capture.secrets.some((s) => s.what === "template") && capture.secrets.some((s) => s.what === "frame") && capture.secrets.some((s) => s.what === "template key"));
    const report = scanForLeaks(capture);
    assert.deepEqual(report.hits, [], "secret bytes found in the gate's output");
    assert.equal(report.pinHits, 0, "a resident's PIN found in the gate's output");
    assert.equal(gate.core.audit.verify().ok, true);
  });

  it("control: the scanner finds secret bytes and PINs planted on purpose, and nothing shorter than its window", () => {
    const capture = new DayCapture();
    const template = new Uint8Array(128).map((_, i) => (i * 37 + 11) & 255);
    capture.secret("template", template);
    capture.pins.push("48151623");
    const noise = new Uint8Array(300).map((_, i) => (i * 91 + 7) & 255);
    capture.output(noise);
    assert.deepEqual(scanForLeaks(capture).hits, []);
    const planted = noise.slice();
    planted.set(template.subarray(40, 56), 100);
    capture.output(planted);
    // Echoed a key at a time, as the console's line editor does: found across the writes.
    for (const c of "PIN was 48151623!") capture.consoleWrite(c);
    const report = scanForLeaks(capture);
    assert.deepEqual(report.hits, [{ what: "template", windows: 1 }]);
    assert.equal(report.pinHits, 1);
    const short = new DayCapture();
    short.secret("template", template);
    short.output(template.subarray(40, 55));
    assert.deepEqual(scanForLeaks(short).hits, []);
  });
});
