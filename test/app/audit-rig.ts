// The audit trail on a store, as firmware.ts opens it, for tests that build a
// gate from parts: keys from a fixed seed (so two opens of one store agree).
import { AuditStore, loadAuditKeys } from "../../src/app/audit-store";
import type { Watermarks } from "../../src/app/watermarks";
import type { AuditTrail } from "../../src/core/audit/audit-trail";
import { hmacSha256, utf8 } from "../../src/core/crypto";
import type { OptgateError } from "../../src/core/errors";
import type { LogStore } from "../../src/core/store/log-store";

/** A key root over a fixed secret (one per `board` name): what a board's key file gives the host board. */
export function testKeyRoot(label: string, board = "audit-rig"): Uint8Array {
  return hmacSha256(utf8(`${board} key root, tests only`), utf8(label));
}

export function openAudit(store: LogStore, o: { capacity?: number; securityCapacity?: number; onError?: (e: OptgateError) => void; now?: number; watermarks?: Watermarks; gateId?: number; board?: string } = {}): AuditStore {
  const keys = loadAuditKeys(store, { fill: (b) => b.fill(7) }, (label) => testKeyRoot(label, o.board));
  return new AuditStore({ store, keys, gateId: o.gateId ?? 1, capacity: o.capacity, securityCapacity: o.securityCapacity, now: o.now ?? 0, onError: o.onError, watermarks: o.watermarks });
}

/** The trail alone (what GateCore takes). */
export function loadAudit(store: LogStore, capacity?: number, onError?: (e: OptgateError) => void, now = 0): AuditTrail {
  return openAudit(store, { capacity, onError, now }).trail;
}
