// Shared set-up for the sync tests (portable: Node and XS): a hub key, a gate
// key, and change sets signed the way the hub signs them.
import { encodeChange, type Change } from "../../../src/core/access/changes";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { encodeChangeSet, keyIdOf, type ChangeSet } from "../../../src/core/sync/messages";
import { GateSync, type GateSyncOptions } from "../../../src/core/sync/gate-sync";

export const GATE = 7;
export const T0 = Date.UTC(2026, 5, 1, 8);
export const hubSigner = new Ed25519Signer(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
export const otherSigner = new Ed25519Signer(Uint8Array.from({ length: 32 }, (_, i) => 200 - i));
export const gateSigner = new Ed25519Signer(Uint8Array.from({ length: 32 }, (_, i) => (i * 5) & 0xff));
export const hubSign = (b: Uint8Array) => hubSigner.sign(b);
export const gateSign = (b: Uint8Array) => gateSigner.sign(b);

export function newGateSync(options: Partial<GateSyncOptions> = {}): GateSync {
  return new GateSync({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, ...options });
}

export function resident(id: number, card: number[], unit = `B${id}-1`): Change {
  return { kind: "add-resident", id, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit, cards: [Uint8Array.from(card)], codes: [] };
}

/** A signed change set; `over` replaces any field, `signer` the key (default: the hub's). */
export function changeSet(version: number, changes: Change[], over: Partial<Omit<ChangeSet, "type">> = {}, signer = hubSigner): Uint8Array {
  const full = over.full ?? false;
  return encodeChangeSet({
    gateId: GATE, version, base: full ? 0 : version - 1, full, part: 0, parts: 1, issuedAt: T0,
    keyId: keyIdOf(signer.publicKey), changes: changes.map(encodeChange), ...over,
  }, (b) => signer.sign(b));
}
