// PIN reports under attack (tools/hub/pins.ts, src/app/pin-reports.ts), against
// PGlite and PostgreSQL with protocol gates: what a forged, truncated,
// misaddressed, replayed, reordered or stale report can make the hub take,
// and what it can spend; and whether a gate's own reports, kept across a
// reboot, reach the hub in an order it takes.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { PinReports } from "../../../src/app/pin-reports";
import { encodeChange } from "../../../src/core/access/changes";
import { hashPin } from "../../../src/core/access/secrets";
import { utf8 } from "../../../src/core/crypto";
import { LogStore } from "../../../src/core/store/log-store";
import { decodePinReport } from "../../../src/core/sync/pin-report";
import { bytes, num } from "../../../tools/hub/db";
import { residentInput } from "../../../tools/hub/web/residents-data";
import { COMPOUND, Fleet, T0, person, random } from "./fleet";
import { KEY_ID, hash, pinReport, salt, sendPin, signer } from "./pin-rig";
import { forEachDatabase } from "./servers";


forEachDatabase("hub: PIN reports under attack", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  const report = pinReport;
  const send = (gateId: number, bytes: Uint8Array) => sendPin(fleet, gateId, bytes);
  const held = async (id = 1) => {
    const [row] = await db.query<{ pin_hash: unknown }>("select pin_hash from resident where compound_id = $1 and id = $2", [COMPOUND, id]);
    return row.pin_hash == null ? "none" : String(bytes(row.pin_hash)[0]);
  };
  const pinSeq = async (gateId: number) => num((await db.query<{ pin_seq: unknown }>("select pin_seq from gate where id = $1", [gateId]))[0].pin_seq);
  const setup = async () => {
    await fleet.addGate(10);
    await fleet.addGate(11);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2)]);
    await fleet.drain();
    fleet.drops.length = 0;
  };

  it("a report carries no PIN: only the salt and keyed hash the gate made", () => {
    const pin = "73915024";
    const key = new Uint8Array(32).fill(0x5a);
    const s = Uint8Array.of(1, 2, 3, 4);
    const r = report(10, { salt: s, hash: hashPin(key, s, pin) });
    const text = Buffer.from(r).toString("latin1");
    for (const form of [pin, Buffer.from(utf8(pin)).toString("hex")]) assert.ok(!text.includes(form) && !Buffer.from(r).toString("hex").includes(Buffer.from(utf8(pin)).toString("hex")), form);
    const back = decodePinReport(r).report;
    assert.deepEqual(Object.keys(back).sort(), ["gateId", "hash", "keyId", "residentId", "salt", "seq", "time"]);
  });

  it("a forged, truncated, extended or misaddressed report changes nothing and spends no seq", async () => {
    await setup();
    const good = report(10, { seq: 50, hash: hash(50) });
    const forged = good.slice();
    forged[20] ^= 1; // the resident id, under the signature
    const resigned = report(10, { seq: 50, hash: hash(50) }, signer(11));
    const cases: [number, Uint8Array, RegExp][] = [
      [10, forged, /signature does not verify/],
      [10, resigned, /signature does not verify/],
      [10, good.subarray(0, good.length - 1), /malformed/],
      [10, Uint8Array.from([...good, 0]), /malformed/],
      [11, good, /of gate 10 on gate 11's topic/],
      [10, report(10, { seq: 0xffffffff, hash: hash(77) }, signer(11)), /signature does not verify/],
    ];
    for (const [gate, bytes, why] of cases) {
      fleet.drops.length = 0;
      await send(gate, bytes);
      assert.match(fleet.drops.join("; "), why);
    }
    assert.deepEqual([await held(), await pinSeq(10), await pinSeq(11)], ["none", 0, 0], "nothing taken, no seq spent");
    // The gate's own next report (a low seq) is still taken.
    await send(10, report(10, { seq: 2, hash: hash(2) }));
    assert.equal(await held(), "2");
  });

  it("a replayed or reordered report is refused and does not bring back the PIN it carried", async () => {
    await setup();
    const r5 = report(10, { seq: 5, hash: hash(5), time: T0 });
    const r6 = report(10, { seq: 6, hash: hash(6), time: T0 + 1000 });
    await send(10, r6);
    await send(10, r5);
    assert.match(fleet.drops.join("; "), /PIN report 5 replayed or older than 6/);
    await send(10, r6);
    assert.match(fleet.drops.join("; "), /PIN report 6 replayed or older than 6/);
    assert.equal(await held(), "6");
    // Replayed through another gate's topic, it is neither taken nor does it spend that gate's seq.
    await send(11, r6);
    assert.equal(await pinSeq(11), 0);
  });

  it("a report from another gate cannot undo a newer PIN: older gate time is refused", async () => {
    await setup();
    await send(10, report(10, { seq: 1, hash: hash(1), time: T0 + 60_000 }));
    await send(11, report(11, { seq: 1, hash: hash(2), time: T0 }));
    assert.match(fleet.drops.join("; "), /older than the PIN the hub holds/);
    assert.equal(await held(), "1");
  });

  it("a stale report, made before the office changed the PIN at the hub, must not undo that change", async () => {
    await setup();
    // Gate 10 reports a PIN set at T0; the hub takes it.
    await send(10, report(10, { seq: 1, hash: hash(1), time: T0 }));
    assert.equal(await held(), "1");
    // A day later the office clears the resident's PIN (or sets another), e.g. because it leaked.
    fleet.now = T0 + 24 * 3600_000;
    const input = (await residentInput(db, COMPOUND, 1))!;
    await fleet.hub.putResidents(COMPOUND, [{ ...input, pin: undefined }]);
    await fleet.drain();
    assert.equal(await held(), "none", "the office cleared it");
    // Gate 11 was offline: its report of a PIN set there at T0 + 1 h arrives only now.
    fleet.drops.length = 0;
    await send(11, report(11, { seq: 1, hash: hash(9), time: T0 + 3600_000 }));
    assert.equal(await held(), "none", "a report older than the office's change brought a PIN back");
  });

  it("a gate's pending reports, sent after a reboot as the firmware sends them, are all taken (seq order)", async () => {
    await setup();
    const flash = new NorFlash(64 * 1024);
    const gate10 = signer(10);
    const open = () => new PinReports({ store: LogStore.open(flash, { random }), gateId: 10, sign: (b) => gate10.sign(b), trustedNow: () => undefined, log: () => undefined });
    const setPin = (id: number, n: number) => encodeChange({ kind: "set-compound-pin", id, keyId: KEY_ID, salt, hash: hash(n) });
    // Offline: resident 1's PIN, then resident 2's, then resident 1's again (seq 1, 2, 3).
    const before = open();
    before.changedHere(setPin(1, 11));
    before.changedHere(setPin(2, 22));
    before.changedHere(setPin(1, 33));
    // A reboot, then the link opens: src/app/fleet.ts sends pins.pending() in the order it lists them.
    const pending = open().pending();
    assert.deepEqual(pending.map((p) => decodePinReport(p.report).report.seq).sort(), [2, 3]);
    for (const p of pending) await send(10, p.report);
    assert.deepEqual([await held(1), await held(2)], ["33", "22"],
      `sent as seq ${pending.map((p) => decodePinReport(p.report).report.seq).join(", ")}; dropped: ${fleet.drops.join("; ")}`);
  });
});
