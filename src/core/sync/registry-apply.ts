// Applying a verified change set to the gate's Registry: all changes or none.
//
// Incremental sets go through Registry.applyAll: each change validated as
// Registry.apply does, and if one is refused the registry is put back as it
// was (from copies of its tables), so a set never half-applies in RAM. The
// caller persists the same change bytes and the new version in one store
// group (docs/sync.md), so it never half-applies on flash either; it does so
// in the `persist` step, and a store refusal there puts the registry back
// too. A full resync replaces the registry from the changes as one snapshot
// import; the caller then stores the registry as a new generation
// (src/app/sync-persistence.ts over the persistence.ts rebase).
//
// Codes the hub issued arrive sealed to this gate (sealed-codes.ts): `open`
// turns them into add-code / remove-code with the gate's own hash before
// anything is applied, and `changes` in the outcome are those opened bytes,
// what the caller stores. The face flag is the gate's own truth (a template exists in its vault), so
// the hub may not send set-face, and gate-local counters (use-code, end-code, rate-pin)
// are not the hub's either. What a set does to face-enrolled residents is
// reported back: their templates must be erased when they are gone.
import { decodeChange, POLICY_KINDS, type ChangeKind, type PolicyChange } from "../access/changes";
import type { Registry } from "../access/registry";
import { FLAG_FACE } from "../access/resident-table";
import { frameSnapshot } from "../access/snapshot-frame";
import { OptgateError, isOptgateError } from "../errors";

/** Kinds the hub may not send: the gate alone knows these facts. */
const GATE_ONLY: readonly ChangeKind[] = ["set-face", "use-code", "end-code", "rate-pin"];

export interface RegistryApplied {
  /** Residents who had face enrolled and are no longer in the registry: erase their templates. */
  faceGone: number[];
  /** The changes as applied (sealed codes opened): what goes on flash, never the hub's sealed bytes. */
  changes: Uint8Array[];
}

/** Opens the sealed changes of a set (sealed-codes.ts openSealedChanges); throws to refuse the set. */
export type OpenSealed = (changes: Uint8Array[], full: boolean) => Uint8Array[];

function hasFace(registry: Registry, id: number): boolean {
  const row = registry.residents.find(id);
  return row >= 0 && (registry.residents.flags[row] & FLAG_FACE) !== 0;
}

/** Face-enrolled residents among `ids`, or among everyone (a full resync). */
function faceEnrolled(registry: Registry, ids?: number[]): number[] {
  if (ids) return ids.filter((id) => hasFace(registry, id));
  const t = registry.residents, out: number[] = [];
  for (let row = 0; row < t.size; row++) if (t.flags[row] & FLAG_FACE) out.push(t.ids[row]);
  return out;
}

/** Refuses gate-only kinds; returns the residents the set removes (their templates may have to go). */
function checkKinds(changes: Uint8Array[]): number[] {
  const removed: number[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = decodeChange(changes[i]);
    if (GATE_ONLY.includes(change.kind)) {
      throw new OptgateError("E_SYNC_GATE_ONLY", `Change ${i + 1} is ${change.kind}, which only the gate itself may record.`);
    }
    if (change.kind === "remove-resident") removed.push(change.id);
  }
  return removed;
}

/**
 * A set's changes parted: the registry's (as bytes, in order) and the gate
 * policy's (set-schedule, set-holidays: the caller checks and stores them
 * with the set, docs/sync.md). Throws E_BAD_CHANGE for one that cannot be read.
 */
export function splitPolicyChanges(all: Uint8Array[]): { changes: Uint8Array[]; policy: PolicyChange[] } {
  const changes: Uint8Array[] = [], policy: PolicyChange[] = [];
  for (const bytes of all) {
    const change = decodeChange(bytes);
    if (POLICY_KINDS.includes(change.kind)) policy.push(change as PolicyChange);
    else changes.push(bytes);
  }
  return { changes, policy };
}

/**
 * Applies `changes` (already verified as the hub's) all or nothing. Throws
 * (registry unchanged) with the refused change's error; E_SYNC_NEEDS_RESYNC
 * when the registry is quarantined, where only a full resync can help.
 * `persist` runs with the outcome once the registry holds the set; if it
 * throws (the store refused), the registry is put back and the error thrown,
 * so RAM never keeps a set that flash does not hold.
 */
export function applyToRegistry(registry: Registry, hubChanges: Uint8Array[], full: boolean, persist?: (applied: RegistryApplied) => void, open?: OpenSealed): RegistryApplied {
  const removed = checkKinds(hubChanges);
  // Opened after the kind check: a revoked code comes out as end-code, which the hub itself may not send.
  const changes = open ? open(hubChanges, full) : hubChanges;
  // Only what the set can take away is looked at (all residents for a full resync): cost follows the set, not the registry.
  const faceBefore = faceEnrolled(registry, full ? undefined : removed);
  let applied: RegistryApplied = { faceGone: [], changes };
  const settle = () => {
    applied = { faceGone: faceBefore.filter((id) => !hasFace(registry, id)), changes };
    persist?.(applied);
  };
  if (full) {
    registry.importSnapshot(frameSnapshot(changes), () => {
      // Face flags stay for residents still present who still hold a card or PIN.
      for (const id of faceBefore) {
        if (!registry.has(id)) continue;
        try { registry.setFaceEnrolled(id, true); } catch (error) { if (!isOptgateError(error)) throw error; }
      }
      settle();
    });
  } else {
    if (registry.damage !== undefined) {
      throw new OptgateError("E_SYNC_NEEDS_RESYNC", "The registry is quarantined; only a full resync from the hub can replace it.");
    }
    registry.applyAll(changes, settle);
  }
  return applied;
}
