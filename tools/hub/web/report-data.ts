// The facts of the compliance report (what a PIPL art. 55-56 impact
// assessment and GB/T 35273 ask about face processing), from the database:
// the consent register, erasures and their delays, retention sweeps, where
// templates are held, camera-on time over the report's period.
import type { TimeZone } from "../../../src/core/time/posix-tz";
import type { Sql } from "../db";
import { cameraOnTable, type CameraTable } from "./camera-data";
import { consentRegister } from "./consent-data";
import { lastErasureDelay } from "./consent-routes";

export interface ComplianceFacts {
  compoundId: number;
  generatedAt: number;
  residents: number;
  consentingNow: number;
  cardOrPinOnly: number;
  consentsGiven: number;
  withdrawals: number;
  erasuresDone: number;
  erasuresPending: number;
  /** ms, over withdrawals whose every erasure is done */
  delayMedian?: number;
  delayMax?: number;
  retentionErasures: number;
  /** gate → residents whose template it holds now */
  templatesByGate: { gate: number; residents: number }[];
  /** camera-on ms per gate over the period: REPORT_DAYS local days to the day of generatedAt */
  camera: CameraTable;
}

/** The report's period for figures that have one (camera-on time), in the compound's local days. */
export const REPORT_DAYS = 30;

export async function complianceFacts(db: Sql, compoundId: number, zone: TimeZone, now: number): Promise<ComplianceFacts> {
  const [reg, camera] = await Promise.all([consentRegister(db, compoundId), cameraOnTable(db, compoundId, zone, now, REPORT_DAYS)]);
  const heldAt = new Map<number, number>(); // gate → templates it holds
  for (const gates of reg.holdings.values()) for (const gate of gates) heldAt.set(gate, (heldAt.get(gate) ?? 0) + 1);
  const delays = reg.withdrawals.map(lastErasureDelay).filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  const erasures = reg.withdrawals.flatMap((w) => w.erasures);
  return {
    compoundId, generatedAt: now, residents: reg.residents,
    consentingNow: reg.consenting.length, cardOrPinOnly: reg.residents - reg.consenting.length,
    consentsGiven: reg.events.filter((e) => e.kind === "consent-given").length,
    withdrawals: reg.withdrawals.length,
    erasuresDone: erasures.filter((e) => e.erasedAt !== undefined).length,
    erasuresPending: erasures.filter((e) => e.erasedAt === undefined).length,
    delayMedian: delays.length ? delays[Math.floor((delays.length - 1) / 2)] : undefined,
    delayMax: delays.length ? delays[delays.length - 1] : undefined,
    retentionErasures: reg.events.filter((e) => e.kind === "face-erased" && e.detail.startsWith("retention:")).length,
    templatesByGate: [...heldAt].map(([gate, residents]) => ({ gate, residents })).sort((a, b) => a.gate - b.gate),
    camera,
  };
}
