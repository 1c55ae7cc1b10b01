// Seeds the demo compound (demo-compound.ts) into a gate whose registry is
// empty, through the firmware's own APIs: registry for residents, cards, PINs
// and the courier code; notice, consent ledger (with the resident's PIN) and
// camera enrolment for the one resident who opted into face.
import type { Firmware } from "../../src/app/firmware";
import type { CameraScene } from "./board";
import { DEMO_NOTICE, DEMO_RESIDENTS, DEMO_TECHNICIAN, DEMO_VISITOR_CODE } from "./demo-compound";

const DAY = 86_400_000;

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * A fleet gate (npm start -- --gates N): the hub owns its residents, so only
 * the demo technician and notice are seeded, once (a gate with a technician
 * is left alone). True when it seeded.
 */
export function seedFleetDemo(firmware: Firmware, now: number): boolean {
  if (firmware.backend.hasTechnician()) return false;
  firmware.addTechnician(DEMO_TECHNICIAN.id, DEMO_TECHNICIAN.password);
  firmware.core.notices.publish({ ...DEMO_NOTICE, gates: [firmware.core.gateName] }, now);
  return true;
}

/** True when it seeded; a gate that already has residents is left alone. */
export function seedDemoCompound(firmware: Firmware, camera: CameraScene, now: number): boolean {
  const core = firmware.core;
  if (core.registry.size > 0) return false;
  for (const r of DEMO_RESIDENTS) {
    core.registry.addResident({
      unit: r.unit,
      role: r.role,
      groups: 1,
      cards: [bytes(r.card)],
      pin: r.pin,
      validUntil: r.validDays === undefined ? undefined : now + r.validDays * DAY,
    });
  }
  core.registry.addResident({
    unit: DEMO_VISITOR_CODE.unit,
    role: "courier",
    groups: 1,
    validUntil: now + DEMO_VISITOR_CODE.validHours * 3_600_000,
    codes: [{ code: DEMO_VISITOR_CODE.code, validUntil: now + DEMO_VISITOR_CODE.validHours * 3_600_000, uses: DEMO_VISITOR_CODE.uses }],
  });
  firmware.addTechnician(DEMO_TECHNICIAN.id, DEMO_TECHNICIAN.password);
  const notice = core.notices.publish({ ...DEMO_NOTICE, gates: [core.gateName] }, now);
  for (const [index, r] of DEMO_RESIDENTS.entries()) {
    if (r.faceIdentity === undefined || r.pin === undefined) continue;
    const id = `R${String(index + 1).padStart(5, "0")}`;
    core.ledger.grant({ residentId: id, noticeVersion: notice.version, witnessId: "T0001", pin: r.pin, at: now });
    // A real face model would need a real face: the demo uses no photos of
    // real people, so she keeps her consent and enrols from a photo of your
    // choosing (docs/simulator.md).
    if (camera.realModel) {
      firmware.board.log(`demo: ${id} consented to face; with a real face model she is not enrolled (no demo photos of real people): hold up a photo (p on the gate screen, photo <file> in scripts), then face enrol ${id} at the console`);
      continue;
    }
    // Enrolment is the one other time the camera runs: the resident stands in front of it.
    camera.scene = { kind: "genuine", identity: r.faceIdentity };
    try {
      core.enrolment.enrolFromCamera(core.ledger.activeConsent(id), now);
    } finally {
      camera.scene = undefined;
    }
  }
  return true;
}
