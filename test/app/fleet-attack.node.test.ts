// Adversarial tests of the gate's fleet link on the whole firmware (host board
// chip models, Node, real TCP): what must survive power cuts and long offline
// stretches on the gate's own flash. The portable attacks on the link itself
// are in fleet-attack.test.ts.
import assert from "node:assert/strict";
import net from "node:net";
import { FleetRig } from "./fleet-rig";

/** A local port nothing listens on: the gate's broker is away. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("firmware hub link under attack", function () {
  this.timeout(120_000);
  let rig: FleetRig;

  beforeEach(async () => { rig = await FleetRig.open(); });
  afterEach(() => rig?.close());

  it("keeps every withdrawal notice made while the broker is away across a power cut, not just the first few", async () => {
    const port = await deadPort();
    const hubKey = new Uint8Array(32).fill(3);
    let g = rig.boot(5);
    g.firmware.provisionHub({ compoundId: 1, host: "127.0.0.1", port, hubKeys: [hubKey] });
    await rig.run(200);
    const fleet = g.firmware.fleet!;
    const withdrawals = 40;
    for (let i = 0; i < withdrawals; i++) fleet.withdrawnHere(100 + i, false);
    assert.match(fleet.status(), new RegExp(`${withdrawals} withdrawal notice\\(s\\) to deliver`));
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(5, flash);
    await rig.run(200);
    assert.deepEqual(g.logs.filter((l) => /notice/.test(l)), [], "nothing about lost notices");
    assert.match(g.firmware.fleet!.status(), new RegExp(`${withdrawals} withdrawal notice\\(s\\) to deliver`), `every notice is still on flash to reach the hub: ${g.firmware.fleet!.status()}`);
  });
});
