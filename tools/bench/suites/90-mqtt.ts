// The gate's MQTT codec: decoding a stream of QoS 1 PUBLISH packets (the
// shape of change sets from the hub), whole and one byte at a time, and
// encoding one; Node ns and XS computrons.
import path from "node:path";
import { encodePublish } from "../../../src/core/mqtt/encode";
import { PacketType } from "../../../src/core/mqtt/packets";
import { StreamDecoder } from "../../../src/core/mqtt/stream-decoder";
import { repoRoot } from "../../xs/bundle";
import { nsPerCall, xsComputrons, type BenchSuite } from "../harness";

const PACKETS = 100;
const PAYLOAD = 512;

function stream(): Uint8Array {
  const one = (i: number) => encodePublish({
    type: PacketType.PUBLISH, topic: "optgate/compound-1/gates/7/sync", payload: new Uint8Array(PAYLOAD).fill(i), qos: 1, retain: false, dup: false, packetId: i + 1,
  });
  const parts = Array.from({ length: PACKETS }, (_, i) => one(i));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const src = (f: string) => JSON.stringify(path.join(repoRoot, "src/core/mqtt", f));
const imports = `import { StreamDecoder } from ${src("stream-decoder.ts")}; import { encodePublish } from ${src("encode.ts")};`;
const setup = `
  const parts = [];
  for (let i = 0; i < ${PACKETS}; i++) parts.push(encodePublish({ type: 3, topic: "optgate/compound-1/gates/7/sync", payload: new Uint8Array(${PAYLOAD}).fill(i), qos: 1, retain: false, dup: false, packetId: i + 1 }));
  const wire = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (wire.set(p, at), at + p.length), 0);
  const d = new StreamDecoder(4096);
  let n = 0;
  d.onPacket = () => n++;
  const one = new Uint8Array(1);
`;

const clientImports = `import { MqttClient } from ${src("client.ts")}; import { encodePacket } from ${src("encode.ts")};`;
/** An up client with 16 QoS 1 messages in flight (none due for a resend), and a QoS 1 PUBLISH to feed it. */
const clientSetup = `
  const link = { open() {}, write() {}, close() {} };
  const c = new MqttClient({ link, clientId: "gate-7", maxOutbound: 16 });
  c.events.onMessage = (m) => c.accept(m);
  c.start(); c.tick(0); c.linkUp();
  c.bytesIn(encodePacket({ type: 2, sessionPresent: true, returnCode: "accepted" }));
  for (let i = 0; i < 16; i++) c.publish("optgate/compound-1/gates/7/audit", new Uint8Array(64));
  const change = encodePacket({ type: 3, topic: "optgate/compound-1/gates/7/sync", payload: new Uint8Array(${PAYLOAD}), qos: 1, retain: false, dup: false, packetId: 5 });
  let t = 0;
`;

const suite: BenchSuite = {
  name: "mqtt",
  async run() {
    const wire = stream();
    const d = new StreamDecoder(4096);
    d.onPacket = () => {};
    const wholeNs = nsPerCall(() => d.push(wire), 200) / PACKETS;
    const byteNs = nsPerCall(() => { for (let i = 0; i < wire.length; i++) d.push(wire.subarray(i, i + 1)); }, 20) / PACKETS;
    const encodeNs = nsPerCall(() => encodePublish({ type: PacketType.PUBLISH, topic: "optgate/compound-1/gates/7/sync", payload: wire.subarray(0, PAYLOAD), qos: 1, retain: false, dup: false, packetId: 9 }), 20_000);
    const xsWhole = await xsComputrons({ imports, setup, op: "d.push(wire);", n: 5 }) / PACKETS;
    const xsByte = await xsComputrons({ imports, setup, op: "for (let j = 0; j < wire.length; j++) { one[0] = wire[j]; d.push(one); }", n: 2 }) / PACKETS;
    const xsTick = await xsComputrons({ imports: clientImports, setup: clientSetup, op: "c.tick(t += 10);", n: 100 });
    const xsRoundTrip = await xsComputrons({ imports: clientImports, setup: clientSetup, op: "c.bytesIn(change);", n: 20 });
    const mb = (ns: number) => (PAYLOAD + 40) / ns * 1000;
    return [
      { case: `decode ${PAYLOAD}-byte QoS 1 PUBLISH, 100 per chunk, Node`, value: wholeNs, unit: "ns/packet", note: `${mb(wholeNs).toFixed(0)} MB/s` },
      { case: `decode ${PAYLOAD}-byte QoS 1 PUBLISH, one byte per chunk, Node`, value: byteNs, unit: "ns/packet" },
      { case: `encode ${PAYLOAD}-byte QoS 1 PUBLISH, Node`, value: encodeNs, unit: "ns/packet" },
      { case: `decode ${PAYLOAD}-byte QoS 1 PUBLISH, 100 per chunk, XS`, value: xsWhole, unit: "computrons/packet" },
      { case: `decode ${PAYLOAD}-byte QoS 1 PUBLISH, one byte per chunk, XS`, value: xsByte, unit: "computrons/packet" },
      { case: "client tick while up, 16 QoS 1 in flight, XS", value: xsTick, unit: "computrons" },
      { case: `client: ${PAYLOAD}-byte QoS 1 PUBLISH in, accepted, PUBACK out, XS`, value: xsRoundTrip, unit: "computrons" },
    ];
  },
};
export default suite;
