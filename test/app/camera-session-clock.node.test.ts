// The camera's time in a face session ("camera-session" record, what the office
// reports per gate and day) when the wall clock is set while the camera is on:
// the whole firmware on the host board, the camera supply watched like a logic
// probe on the board's monotonic timer (HostEvent "camera"). The record must
// state how long the supply was really on, whatever the clock did meanwhile.
import assert from "node:assert/strict";
import { parseCameraDetail } from "../../src/core/audit/camera-session";
import { DEFAULT_TIMEOUT_MS } from "../../src/core/face/face-session";
import { FleetRig, TECH, type RigGate } from "./fleet-rig";

const PIN = "135724";
const HOUR = 3600_000;

describe("camera-session length with the wall clock set mid face session", function () {
  this.timeout(120_000);
  let rig: FleetRig;

  beforeEach(async () => { rig = await FleetRig.open(); });
  afterEach(() => rig?.close());

  /** A gate with R00001 consented and enrolled (identity 101). */
  async function enrolledGate(): Promise<RigGate> {
    const g = rig.boot(1);
    await rig.technician(g, [
      "resident add --unit 3-303 --role owner --card 04112233", "pin set R00001", PIN, PIN,
      `notice set --purpose "Open the gate by face" --method "On-board model" --scope ${g.firmware.core.gateName} --retention 365`,
      "consent grant R00001", "yes",
    ]);
    await rig.keys(g, `#8#1#${PIN}#`);
    g.host.camera.scene = { kind: "genuine", identity: 101 };
    const out = await rig.technician(g, ["face enrol R00001", "go"]);
    g.host.camera.scene = undefined;
    assert.match(out[1], /enrolled under notice/, out.join(""));
    return g;
  }

  /** Camera supply on/off times (monotonic) from the board's probe, from event index `from`. */
  const supply = (g: RigGate, from: number) => g.events.slice(from).filter((e) => e.e === "camera") as { e: "camera"; on: boolean; time: number }[];
  const sessions = (g: RigGate) => g.firmware.core.audit.entries().filter((e) => e.kind === "camera-session").map((e) => parseCameraDetail(e.detail));

  for (const [what, shift] of [["an hour ahead", HOUR], ["an hour back", -HOUR]] as const) {
    it(`states the time the camera was really on when the clock is set ${what} while it is on`, async () => {
      const g = await enrolledGate();
      // Logged in first, so the clock set is one console line while the camera is on.
      await rig.console(g, `login ${TECH.id}`);
      await rig.console(g, TECH.password);
      const seen = g.events.length, recorded = sessions(g).length;
      // No frame comes (a stalled sensor): the session runs to its time-out, the clock set midway.
      g.host.camera.stalled = true;
      await rig.keys(g, "1A");
      assert.equal(supply(g, seen).at(-1)?.on, true, "the camera is on");
      const target = new Date(g.firmware.board.clock.now() + shift).toISOString().slice(0, 16) + "Z";
      const answer = await rig.console(g, `clock set ${target}`);
      assert.match(answer, /Clock was/, answer);
      await rig.until("the camera off", () => supply(g, seen).at(-1)?.on === false, 30_000);
      const [on, off] = supply(g, seen);
      assert.deepEqual([on?.on, off?.on], [true, false]);
      const real = off.time - on.time;
      assert.ok(real >= DEFAULT_TIMEOUT_MS && real <= DEFAULT_TIMEOUT_MS + 50, `the session ran its own time-out, not the clock's: on ${real} ms`);
      const stated = sessions(g).slice(recorded);
      assert.equal(stated.length, 1, "one camera-session record");
      assert.ok(Math.abs(stated[0]! - real) <= 20, `record says ${stated[0]} ms, the supply was on ${real} ms`);
    });
  }
});
