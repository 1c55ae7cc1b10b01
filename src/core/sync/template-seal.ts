// Consent-scoped sealed templates (docs/sync.md "Sealed to a gate"): a face
// template travels from where it was enrolled to another gate only sealed to
// that gate's X25519 key (gate-seal.ts), bound to the gate, the resident and
// the consent scope it was given under, so it cannot be opened by another
// gate, nor passed off for another resident or a wider scope.
import type { Random } from "../ports";
import { openSealed, seal, type SealKeyPair } from "./gate-seal";

export { SEAL_INFO, SEAL_OVERHEAD, sealKeyPair } from "./gate-seal";

/** What a sealed template is bound to: the gate it is for, whose it is, the consent scope (gate-group mask). */
export interface SealContext {
  gateId: number;
  residentId: number;
  scope: number;
}

export function sealTemplate(recipientPublicKey: Uint8Array, template: Uint8Array, context: SealContext, random: Random): Uint8Array {
  return seal(recipientPublicKey, template, { purpose: "template", ...context }, random);
}

/** Opens a template sealed to this gate for exactly this context; throws E_SEAL_OPEN for anything else. */
export function openTemplate(keys: SealKeyPair, sealed: Uint8Array, context: SealContext): Uint8Array {
  return openSealed(keys, sealed, { purpose: "template", ...context });
}
