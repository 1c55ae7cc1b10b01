// The security chain on flash is kept until it was exported; past SECURITY_HELD
// the oldest go, and the gate says so (a DAMAGE line) rather than hiding it.
// Node only: thousands of keyed appends are too slow for the XS test budget.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { SECURITY_HELD } from "../../src/app/audit-store";
import { LogStore } from "../../src/core/store/log-store";
import { openAudit } from "./audit-rig";

const T0 = Date.UTC(2026, 5, 1);
let n = 1;
const random = { fill(b: Uint8Array) { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };

function flood(exportEvery: number | undefined) {
  const store = LogStore.open(new NorFlash(4 * 1024 * 1024), { random });
  const audit = openAudit(store, { now: T0 });
  for (let i = 1; i <= SECURITY_HELD + 600; i++) {
    audit.trail.append({ time: T0 + i, actorKind: "system", actor: 0, kind: "door-held", decision: "info", reason: "info" });
    if (exportEvery && i % exportEvery === 0) audit.markExported(audit.trail.security.head().seq);
  }
  return { store, audit };
}

describe("security audit records kept until exported", () => {
  it("keeps everything up to SECURITY_HELD on flash, then drops the oldest and counts what was never exported", () => {
    const { store, audit } = flood(undefined);
    assert.ok(audit.droppedUnexported > 0, "dropped unexported records are counted");
    const kept = store.streamLength("audit/security") - store.streamStart("audit/security");
    assert.ok(kept <= SECURITY_HELD && kept >= SECURITY_HELD - 600, `${kept} kept`);
    const again = openAudit(store, { now: T0 });
    assert.deepEqual(again.found, [], "the trim moved the anchor: no break");
  });

  it("drops nothing unexported when the log is exported in time", () => {
    const { audit } = flood(1000);
    assert.equal(audit.droppedUnexported, 0);
  });
});
