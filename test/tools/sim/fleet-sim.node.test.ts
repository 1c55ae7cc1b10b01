// npm start -- --gates N: the hub and N simulated gates (firmware in XS) on
// embedded defaults, joined over real TCP. Both gates come online with the
// demo compound's residents from the hub, a card opens either gate, and a
// second start on the same data keeps every gate's key and the hub's record
// of it; the line commands act on one gate.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFleetSim, type FleetSim } from "../../../tools/sim/fleet";
import { fleetCommand } from "../../../tools/sim/fleet-cli";
import { until } from "../../support/until";
import { compoundPinKeyFingerprint } from "../../../src/core/access/compound-pin";
import { readKeyFile } from "../../../tools/optgate/pin-key";


describe("npm start -- --gates N", function () {
  this.timeout(300_000);
  let dir: string;
  let fleet: FleetSim | undefined;
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), "optgate-fleet-")); });
  after(async () => {
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const allOnline = () => fleet!.gates.every((g) => g.fleetStatus?.startsWith("online") === true);

  it("starts the hub and two gates in XS that join it with their own keys and the demo residents", async () => {
    fleet = await startFleetSim({ gates: 2, dataDir: dir, brokerPort: 0, web: 0, realtime: true });
    assert.match(fleet.hub.officeUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
    const keys = fleet.gates.map((g) => Buffer.from(g.identity().publicKey).toString("hex"));
    assert.notEqual(keys[0], keys[1]);
    for (const [i, key] of keys.entries()) {
      const rows: { public_key: Uint8Array }[] = await fleet.hub.db.query<{ public_key: Uint8Array }>("select public_key from gate where id = $1", [i + 1]);
      assert.equal(Buffer.from(rows[0].public_key).toString("hex"), key, `gate ${i + 1} registered with its key`);
    }
    await until("both gates online", allOnline);
    await until("the demo residents at both gates", async () => {
      const states = await Promise.all([1, 2].map((id) => fleet!.hub.service.hub.gate(id)));
      return states.every((s) => s !== undefined && s.desiredVersion > 0 && s.appliedVersion === s.desiredVersion);
    });
    const answer = await fleetCommand(fleet, "2 card 04a1b2c3");
    assert.match(answer, /^gate 2: online.*last: card granted R00001/);
    assert.match(await fleetCommand(fleet, "2 console version"), /optgate/);
    assert.match(await fleetCommand(fleet, "2 console login tech"), /assword/);
    assert.match(await fleetCommand(fleet, "2 console demo-tech-1"), /Logged in as tech/, "the demo technician on every gate");
    assert.match(await fleetCommand(fleet, "2 console hub show"), /link: +online/);
    assert.match(await fleetCommand(fleet, "3 card 04a1b2c3"), /no gate 3 \(gates 1\.\.2\)/);
    assert.match(await fleetCommand(fleet, "1 card zz"), /UID in hex/);
    assert.match(await fleetCommand(fleet, "status"), /^gate 1: .*\ngate 2: /);
  });

  it("gives every gate one compound PIN key (sealed to each; the hub never holds it): a PIN set at gate 1 opens gate 2", async () => {
    const key = readKeyFile(path.join(dir, "compound-1.pinkey"));
    const fingerprint = compoundPinKeyFingerprint(key);
    for (const g of [1, 2]) {
      assert.match(await fleetCommand(fleet!, `${g} console login tech`), /assword/);
      assert.match(await fleetCommand(fleet!, `${g} console demo-tech-1`), /Logged in as tech/);
      assert.match(await fleetCommand(fleet!, `${g} console pin key`), new RegExp(`compound PIN key: ${fingerprint}`));
    }
    await fleetCommand(fleet!, "1 console pin set R00001");
    await fleetCommand(fleet!, "1 console 583017");
    assert.match(await fleetCommand(fleet!, "1 console 583017"), /PIN set for R00001/);
    await until("the PIN at gate 2", async () => /PINs held: +1 under the compound key/.test(await fleetCommand(fleet!, "2 console pin key")));
    await fleetCommand(fleet!, "2 keys 1#583017#");
    let status = ""; // "status" shows each gate's state as of its last command: a console line brings it up to date
    await until("gate 2 grants the PIN", async () => /gate 2: [^\n]*last: pin granted R00001/.test(status = (await fleetCommand(fleet!, "2 console version"), await fleetCommand(fleet!, "status"))), 60_000)
      .catch((error: Error) => { throw new Error(`${error.message}: ${status}`); });
    const rows = await fleet!.hub.db.query<Record<string, unknown>>("select * from resident");
    const hex = Buffer.from(key).toString("hex");
    for (const row of rows) for (const v of Object.values(row)) {
      const text = v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v);
      assert.ok(!text.includes(hex.slice(0, 32)) && !text.includes(Buffer.from("583017").toString("hex")) && !text.includes("583017"), "the hub holds the key or the PIN");
    }
  });

  it("starts again on the same data: the same gates, keys and residents, online again", async () => {
    const before = fleet!.gates.map((g) => Buffer.from(g.identity().publicKey).toString("hex"));
    await fleet!.close();
    fleet = await startFleetSim({ gates: 2, dataDir: dir, brokerPort: 0, web: "off", realtime: true });
    assert.deepEqual(fleet.gates.map((g) => Buffer.from(g.identity().publicKey).toString("hex")), before);
    await until("both gates online again", allOnline);
    assert.match(await fleetCommand(fleet, "1 card 04a1b2c3"), /card granted R00001/);
  });
});
