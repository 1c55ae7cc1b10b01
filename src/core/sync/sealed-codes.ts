// One-time codes issued at the hub (docs/sync.md "Codes issued at the hub"):
// the hub makes a random code, shows it once to the office and keeps only a
// copy sealed to each gate (gate-seal.ts, purpose "code", bound to the gate
// and the resident). The gate opens it when a change set arrives and turns
// it into what the console makes: add-code / remove-code with the keyed hash
// under its own device key. Only that hash is applied and stored; the code
// and the sealed copy never reach flash.
//
//   plaintext = digit count u8 | the digits as ASCII, zero-padded to 10
//   (fixed length: the ciphertext says nothing about how many digits the code has)
import { CHANGE_KINDS, decodeChange, encodeChange } from "../access/changes";
import { codeProblem, hashCode } from "../access/secrets";
import { toHex, utf8, wipe } from "../crypto";
import { OptgateError } from "../errors";
import type { Random } from "../ports";
import { openSealed, seal, type SealKeyPair } from "./gate-seal";

const MAX_DIGITS = 10;
const PLAIN_BYTES = 1 + MAX_DIGITS;

export interface CodeBinding {
  gateId: number;
  residentId: number;
}

/** The code sealed to one gate for one resident (the hub, at issue time). */
export function sealCode(gatePublicKey: Uint8Array, code: string, binding: CodeBinding, random: Random): Uint8Array {
  const problem = codeProblem(code);
  if (problem) throw new OptgateError("E_BAD_CODE", `A one-time code ${problem}.`);
  const plain = new Uint8Array(PLAIN_BYTES);
  plain[0] = code.length;
  plain.set(utf8(code), 1);
  const sealed = seal(gatePublicKey, plain, { purpose: "code", scope: 0, ...binding }, random);
  wipe(plain);
  return sealed;
}

/** The code in a blob sealed to this gate for `binding`; throws E_SEAL_OPEN (or E_BAD_CODE) for anything else. */
export function openCode(keys: SealKeyPair, sealed: Uint8Array, binding: CodeBinding): string {
  const plain = openSealed(keys, sealed, { purpose: "code", scope: 0, ...binding });
  try {
    const n = plain[0];
    let code = "";
    if (plain.length === PLAIN_BYTES && n <= MAX_DIGITS) for (let i = 1; i <= n; i++) code += String.fromCharCode(plain[i]);
    if (codeProblem(code) || plain.length !== PLAIN_BYTES) throw new OptgateError("E_BAD_CODE", "The sealed code is not 6-10 digits.");
    return code;
  } finally {
    wipe(plain);
  }
}

export interface CodeOpener {
  gateId: number;
  /** This gate's seal key pair (gate-seal.ts gateSealKeys). */
  keys: SealKeyPair;
  /** The key codes are hashed under (the registry's). */
  deviceKey: Uint8Array;
  /** The code as the registry holds it now, if it does (Registry.findCode). */
  find(code: string): { resident: number; uses: number } | undefined;
  /** A sealed code that did not open here (left out of the set; the caller audits it). */
  unopened?(residentId: number, why: string): void;
}

/**
 * The set with every sealed code opened into the registry's own changes
 * (other changes pass through as they are). add-sealed-code becomes add-code
 * with the hash; remove-sealed-code becomes the code used up (one end-code,
 * the change that may leave a visitor without a working credential) and then
 * removed, or nothing when the gate no longer holds it for that resident
 * (purged after use, its resident gone). A code the gate already holds is
 * not added again: the hub cannot see codes it did not issue, and refusing
 * would refuse every resync too (docs/sync.md). A blob not sealed to this
 * gate, for this resident, or altered is left out (`unopened`): the rest of
 * the set applies.
 * `full`: the set replaces the registry, so what it holds now does not count,
 * except a code's uses: the lower of the hub's and the gate's (uses made here
 * the hub has not yet seen stay made).
 */
export function openSealedChanges(changes: Uint8Array[], full: boolean, o: CodeOpener): Uint8Array[] {
  let out: Uint8Array[] | undefined;
  /** Codes this set adds, by hash: a later removal in the same set finds them. */
  const added = new Map<string, { resident: number; uses: number }>();
  for (let i = 0; i < changes.length; i++) {
    const first = changes[i][0];
    if (first !== ADD_SEALED && first !== REMOVE_SEALED) {
      out?.push(changes[i]);
      continue;
    }
    out ??= changes.slice(0, i);
    const change = decodeChange(changes[i]);
    if (change.kind !== "add-sealed-code" && change.kind !== "remove-sealed-code") throw new OptgateError("E_BAD_CHANGE", "A sealed code change did not decode as one.");
    let code: string;
    try {
      code = openCode(o.keys, change.sealed, { gateId: o.gateId, residentId: change.id });
    } catch (error) {
      // The set is the hub's (its signature verified), so a blob that does not open here was sealed
      // to another key by the hub itself (a mistyped seal key). Refusing the set for it would refuse
      // every later set and resync too, removals included: the code is left out, and audited.
      if (!(error instanceof OptgateError) || (error.code !== "E_SEAL_OPEN" && error.code !== "E_BAD_CODE")) throw error;
      o.unopened?.(change.id, error.code);
      continue;
    }
    const hash = hashCode(o.deviceKey, code);
    const key = toHex(hash);
    const held = added.get(key) ?? (full ? undefined : o.find(code));
    if (change.kind === "add-sealed-code") {
      if (held) continue;
      // A full resync carries the uses the hub has seen; uses made here may not have reached it
      // yet (offline, or the audit upload queued behind the resync). Never hand them back.
      const here = full ? o.find(code) : undefined;
      const uses = here && here.resident === change.id ? Math.min(here.uses, change.uses) : change.uses;
      out.push(encodeChange({ kind: "add-code", id: change.id, hash, from: change.from, until: change.until, uses: Math.max(1, uses) }));
      // add-code takes at least one use; a code used up here goes back used up (code-used-up, not unknown).
      if (uses === 0) out.push(encodeChange({ kind: "use-code", hash }));
      added.set(key, { resident: change.id, uses });
      continue;
    }
    if (!held || held.resident !== change.id) continue;
    if (held.uses > 0) out.push(encodeChange({ kind: "end-code", hash }));
    out.push(encodeChange({ kind: "remove-code", hash }));
    added.delete(key);
  }
  return out ?? changes;
}

const ADD_SEALED = CHANGE_KINDS.indexOf("add-sealed-code");
const REMOVE_SEALED = CHANGE_KINDS.indexOf("remove-sealed-code");
