// A power cut on a board whose MCU clock restarts at 1970: the PCF8563 on the
// I2C bus (register-level model) decides whether time-limited access survives.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { timerNow } from "../../boards/host/timer";
import { Pcf8563Model } from "../models/pcf8563";
import { BOOT_TIME, BootedGate, FLASH_SIZE } from "./boot-rig";

const RENTER = "04dd0001", OWNER = "04dd0002";
const HOUR = 3_600_000;

/** First boot: the technician sets the clock (which writes the RTC) and adds a renter and an owner. */
function installed(rtc: Pcf8563Model): { flash: NorFlash; gate: BootedGate } {
  const flash = new NorFlash(FLASH_SIZE);
  const gate = new BootedGate(flash, { rtc });
  gate.firmware!.addTechnician("tech1", "gate-tech-pass");
  gate.console("login tech1");
  assert.match(gate.console("gate-tech-pass"), /Logged in/);
  gate.console(`clock set ${new Date(BOOT_TIME).toISOString().slice(0, 19)}Z`);
  assert.match(gate.console(`resident add --unit 1-1 --role renter --until +6m --card ${RENTER}`), /Added as/);
  assert.match(gate.console(`resident add --unit 1-2 --role owner --card ${OWNER}`), /permanent/);
  assert.equal(gate.card(RENTER)?.grant, true);
  gate.run(1000);
  return { flash, gate };
}

/** The power goes for an hour; the board comes back with its clock at 1970. */
function afterCut(flash: NorFlash, rtc: Pcf8563Model, cut: () => void = () => undefined, at = BOOT_TIME + HOUR): BootedGate {
  rtc.powerCut();
  cut();
  const back = new BootedGate(flash, { now: at, rtc, clockLost: true });
  back.console("login tech1");
  assert.match(back.console("gate-tech-pass"), /Logged in/);
  return back;
}

describe("a power cut with a battery-backed RTC", () => {
  it("a healthy RTC: the clock comes back from it, the renter is admitted, status says where the time came from", () => {
    const rtc = new Pcf8563Model(() => timerNow());
    const { flash } = installed(rtc);
    const gate = afterCut(flash, rtc);
    // The RTC counts whole seconds: the board clock may start up to a second behind.
    assert.ok(Math.abs(gate.host.board.clock.now() - (BOOT_TIME + HOUR)) < 2000, "time from the RTC");
    const renter = gate.card(RENTER);
    assert.equal(renter?.grant, true);
    assert.match(gate.console("status"), /clock: +2026-03-02 (16:59:5\d|17:00:0\d) \+08:00 \(rtc, trusted\)\r\nclock why: +RTC kept time/);
  });

  it("a dead battery (VL set): the clock stays at 1970, the renter is denied clock-untrusted, the owner admitted; status says why", () => {
    const rtc = new Pcf8563Model(() => timerNow());
    const { flash } = installed(rtc);
    const gate = afterCut(flash, rtc, () => { rtc.battery = false; rtc.powerCut(); });
    assert.ok(gate.host.board.clock.now() < HOUR);
    assert.equal(gate.card(RENTER)?.reason, "clock-untrusted");
    assert.equal(gate.card(OWNER)?.grant, true);
    assert.match(gate.console("status"), /\(board, UNTRUSTED\)\r\nclock why: +reads before 2025-01-01, so it was never set \(RTC lost time \(battery flat or removed: VL set\)\)/);
    // Setting the clock writes the RTC: the next cut keeps it.
    gate.console(`clock set ${new Date(BOOT_TIME + HOUR).toISOString().slice(0, 19)}Z`);
    assert.equal(gate.card(RENTER)?.grant, true);
    rtc.battery = true;
    const again = afterCut(flash, rtc, undefined, BOOT_TIME + 2 * HOUR);
    assert.equal(again.card(RENTER)?.grant, true);
  });

  it("an RTC that does not answer on the bus: untrusted, and status names the I2C error", () => {
    const rtc = new Pcf8563Model(() => timerNow());
    const { flash } = installed(rtc);
    const gate = afterCut(flash, rtc, () => { rtc.failing = true; });
    assert.equal(gate.card(RENTER)?.reason, "clock-untrusted");
    assert.equal(gate.card(OWNER)?.grant, true);
    assert.match(gate.console("status"), /UNTRUSTED[\s\S]*RTC not answering \(I2C NACK from 0x51\)/);
  });

  it("an RTC that reads before the newest audit record: untrusted (the clock went back)", () => {
    const rtc = new Pcf8563Model(() => timerNow());
    const { flash } = installed(rtc);
    // Someone rewrites the chip a day back (a glitch, a swapped board) before the cut.
    rtc.write(Uint8Array.of(0x02, 0x00, 0x00, 0x08, 0x01, 0x00, 0x03, 0x26)); // 2026-03-01 08:00:00
    const gate = afterCut(flash, rtc);
    assert.equal(gate.card(RENTER)?.reason, "clock-untrusted");
    assert.match(gate.console("status"), /\(rtc, UNTRUSTED\)\r\nclock why: +reads before the newest audit record/);
  });

  it("a drift between the board clock and the RTC beyond 5 s is audited once and shown", () => {
    const rtc = new Pcf8563Model(() => timerNow());
    const { gate } = installed(rtc);
    rtc.ppm = 200; // 0.72 s an hour
    gate.run(70_000);
    assert.doesNotMatch(gate.console("status"), /clock drift: +-?[1-9]\d*\.\d s/);
    rtc.write(Uint8Array.of(0x02, 0x00, 0x00, 0x09)); // the RTC jumps to 09:00:00, the board stays near 08:01
    gate.run(61_000);
    assert.match(gate.console("status"), /clock drift: +-\d+\.\d s against the RTC/);
    gate.run(61_000);
    const drifts = gate.firmware!.core.audit.entries().filter((e) => e.kind === "clock-drift");
    assert.equal(drifts.length, 1);
    assert.ok(gate.logs.some((l) => /clock: board clock behind the RTC by \d+ s/.test(l)));
  });
});
