import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import type { Frame } from "../../src/core/ports";
import { GateCamera } from "../../src/drivers/camera";

const POWER = 14, LED = 15;

function rig() {
  const hw = createHostHardware();
  const camera = new GateCamera({
    camera: { io: hw.io.Camera },
    power: { io: hw.io.Digital, pin: POWER },
    indicator: { io: hw.io.Digital, pin: LED },
    width: 96,
    height: 96,
  });
  const frame: Frame = { width: 96, height: 96, format: "gray8", data: new Uint8Array(camera.frameBytes) };
  return { hw, camera, frame, power: () => hw.gpio.pin(POWER).level, led: () => hw.gpio.pin(LED).level };
}

describe("GateCamera", () => {
  it("is off at start: no power, no LED, no camera IO, capture refused", () => {
    const { hw, camera, frame, power, led } = rig();
    assert.equal(camera.powered, false);
    assert.equal(power(), 0);
    assert.equal(led(), 0);
    assert.equal(hw.io.Camera.open, 0);
    assert.equal(camera.capture(frame), "error");
  });

  it("powers camera and privacy LED together, and captures into the caller's buffer", () => {
    const { hw, camera, frame, power, led } = rig();
    // The LED must never be dark while the supply is on: watch every edge.
    let violations = 0;
    hw.gpio.pin(POWER).onEdge(() => {
      if (hw.gpio.pin(POWER).level && !hw.gpio.pin(LED).level) violations++;
    });
    hw.gpio.pin(LED).onEdge(() => {
      if (hw.gpio.pin(POWER).level && !hw.gpio.pin(LED).level) violations++;
    });
    camera.powerOn();
    assert.equal(camera.powered, true);
    assert.equal(power(), 1);
    assert.equal(led(), 1);
    const data = frame.data;
    assert.equal(camera.capture(frame), "ok");
    assert.equal(frame.data, data, "same buffer, no new allocation");
    assert.ok(frame.data.some((b) => b !== 0), "frame has pixels");
    assert.equal(camera.capture(frame), "ok");
    assert.equal(hw.io.Camera.frames, 2);
    camera.powerOff();
    assert.equal(power(), 0);
    assert.equal(led(), 0);
    assert.equal(hw.io.Camera.open, 0, "camera IO closed with the power");
    assert.equal(camera.capture(frame), "error");
    assert.equal(violations, 0);
  });

  it("refuses a frame of the wrong shape without touching it", () => {
    const { camera } = rig();
    camera.powerOn();
    const small: Frame = { width: 96, height: 96, format: "gray8", data: new Uint8Array(100) };
    const rgb: Frame = { width: 96, height: 96, format: "rgb565", data: new Uint8Array(96 * 96 * 2) };
    assert.equal(camera.capture(small), "error");
    assert.equal(camera.capture(rgb), "error");
    assert.ok(small.data.every((b) => b === 0));
  });

  it("a camera that fails to open leaves power and LED off", () => {
    const { hw, camera, power, led } = rig();
    hw.io.Camera.failNextOpen = true;
    camera.powerOn();
    assert.equal(camera.powered, false);
    assert.equal(power(), 0);
    assert.equal(led(), 0);
    assert.equal(camera.openFailures, 1);
    camera.powerOn();
    assert.equal(camera.powered, true);
  });

  it("close() powers off, is idempotent, and a closed camera cannot power on", () => {
    const { hw, camera } = rig();
    camera.powerOn();
    camera.close();
    camera.close();
    camera.powerOn();
    assert.equal(camera.powered, false);
    assert.equal(hw.io.Camera.open, 0);
    // The last level driven before the pins were released: off (the board's pull-down keeps it so).
    assert.equal(hw.gpio.pin(POWER).latch, 0);
    assert.equal(hw.gpio.pin(LED).latch, 0);
    assert.equal(hw.gpio.pin(POWER).mode, "unclaimed");
  });

  it("copies a buffer/disposable frame into the caller's buffer and closes it at once", () => {
    const hw = createHostHardware();
    let closed = 0, open = 0;
    class DisposableCamera {
      constructor() {
        open++;
      }
      read(): ArrayBuffer & { close(): void } {
        const frame = new Uint8Array(16 * 16).fill(7).buffer as ArrayBuffer & { close(): void };
        frame.close = () => closed++;
        return frame;
      }
      close() {
        open--;
      }
    }
    const camera = new GateCamera({ camera: { io: DisposableCamera }, power: { io: hw.io.Digital, pin: POWER }, indicator: { io: hw.io.Digital, pin: LED }, width: 16, height: 16 });
    const frame: Frame = { width: 16, height: 16, format: "gray8", data: new Uint8Array(256) };
    camera.powerOn();
    assert.equal(camera.capture(frame), "ok");
    assert.equal(closed, 1);
    assert.ok(frame.data.every((b) => b === 7));
    camera.powerOff();
    assert.equal(open, 0);
  });
});
