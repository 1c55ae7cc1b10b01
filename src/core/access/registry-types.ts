// The registry's public shapes: options, what callers pass in, what they read back.
import type { Random } from "../ports";
import type { CodeRecord } from "./changes";
import type { PinQuality } from "./resident-table";
import type { PinLength } from "./secrets";
import type { ResidentId, Role, Status } from "./types";

export interface RegistryOptions {
  /** Secret key for PIN and code hashes (from the board's key store). */
  deviceKey: Uint8Array;
  /** The compound PIN key (32 bytes), when the gate holds one: new PINs are made under it (compound-pin.ts). */
  compoundPinKey?: Uint8Array;
  /** Randomness for PIN salts. */
  random: Random;
  /** PIN length accepted when PINs are set; default 6-8 digits (the gate policy sets it). */
  pinLength?: PinLength;
}

export interface CodeSpec {
  code: string;
  /** ms since epoch; default: valid at once. */
  validFrom?: number;
  /** ms since epoch; codes always expire. */
  validUntil: number;
  uses: number;
}

export interface ResidentSpec {
  unit: string;
  role: Role;
  status?: Status;
  /** Access-group bitmask (bit n = group n). */
  groups: number;
  /** ms since epoch; omit for no bound (a permanent resident has neither). */
  validFrom?: number;
  validUntil?: number;
  cards?: Uint8Array[];
  pin?: string;
  codes?: CodeSpec[];
}

export interface ResidentPatch {
  unit?: string;
  role?: Role;
  status?: Status;
  groups?: number;
  /** null removes the bound. */
  validFrom?: number | null;
  validUntil?: number | null;
}

export interface ResidentView {
  id: ResidentId;
  label: string;
  unit: string;
  role: Role;
  status: Status;
  groups: number;
  validFrom?: number;
  validUntil?: number;
  hasPin: boolean;
  /** What the gate knows of the PIN's strength: "short"/"weak" PINs predate the rules and should be changed. */
  pinQuality: PinQuality;
  faceEnrolled: boolean;
  cards: number;
  codes: number;
}

/** A one-time code as held: its keyed hash, never the code. Times in stored seconds. */
export interface CodeEntry extends CodeRecord {
  resident: ResidentId;
}
