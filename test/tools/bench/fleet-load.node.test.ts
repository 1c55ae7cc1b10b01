// The fleet bench's broker tells why it lost a client: an abrupt close (the
// will is published) and a keepalive timeout are drops, a clean DISCONNECT is
// not. The bench reports these beside the XS gate's own reasons.
import assert from "node:assert/strict";
import net from "node:net";
import mqtt from "mqtt";
import { startCountingBroker, type CountingBroker } from "../../../tools/bench/fleet/load";
import { encodePacket } from "../../../src/core/mqtt/encode";
import { PacketType } from "../../../src/core/mqtt/packets";

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
};

describe("the fleet bench's counting broker", function () {
  this.timeout(20_000);
  let broker: CountingBroker;
  beforeEach(async () => { broker = await startCountingBroker(); });
  afterEach(async () => { await broker.close(); });

  const connect = (clientId: string, keepalive = 30) => mqtt.connectAsync(broker.url, { clientId, keepalive, reconnectPeriod: 0, will: { topic: `w/${clientId}`, payload: Buffer.from("0"), qos: 1, retain: false } });

  it("counts a clean disconnect as no drop and an abrupt close as one", async () => {
    const calm = await connect("calm");
    await calm.endAsync();
    const rude = await connect("rude");
    rude.stream.destroy();
    await until("the abrupt close is seen", () => broker.drops().length > 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(broker.drops().map((d) => [d.clientId, d.reason]), [["rude", "closed by the client's side"]]);
  });

  it("names a keepalive timeout", async () => {
    // A raw client that asks for a 1 s keepalive and then says nothing.
    const socket = net.connect(broker.port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(encodePacket({ type: PacketType.CONNECT, clientId: "quiet", cleanSession: false, keepAlive: 1 }));
    await until("the broker gives up on the silent client", () => broker.drops().length > 0);
    assert.deepEqual(broker.drops().map((d) => [d.clientId, d.reason]), [["quiet", "keepalive timeout"]]);
    socket.destroy();
  });
});
