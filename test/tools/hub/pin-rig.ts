// What the PIN report tests share (pins.node.test.ts, pins-adversary.node.test.ts):
// a gate's signed report, and its delivery to the hub on the gate's topic.
import { Ed25519Signer } from "../../../src/core/ed25519";
import { encodePinReport, type PinReport } from "../../../src/core/sync/pin-report";
import { topic } from "../../../src/core/sync/topics";
import { COMPOUND, T0, gateSeed, type Fleet } from "./fleet";

export const KEY_ID = 0x2468ace1;
export const salt = Uint8Array.of(9, 8, 7, 6);
export const hash = (n: number) => new Uint8Array(16).fill(n);
export const signer = (gateId: number) => new Ed25519Signer(gateSeed(gateId));

/** Gate `gateId`'s report (resident 1, seq 1, at T0 unless `over` says otherwise), signed by `by`. */
export const pinReport = (gateId: number, over: Partial<PinReport>, by = signer(gateId)) =>
  encodePinReport({ gateId, seq: 1, residentId: 1, keyId: KEY_ID, salt, hash: hash(1), time: T0, ...over }, (b) => by.sign(b));

/** Delivered on gate `gateId`'s pin topic, and everything it set off handled. */
export async function sendPin(fleet: Fleet, gateId: number, bytes: Uint8Array): Promise<void> {
  await fleet.hub.receive(topic(COMPOUND, gateId, "pin"), bytes);
  await fleet.drain();
}
