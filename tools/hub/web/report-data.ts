// The facts of the compliance report (what a PIPL art. 55-56 impact
// assessment and GB/T 35273 ask about face processing), from the database:
// the consent register, erasures and their delays, retention sweeps, where
// templates are held. Figures the gates do not report yet are marked so.
import type { Sql } from "../db";
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
}

export async function complianceFacts(db: Sql, compoundId: number, now: number): Promise<ComplianceFacts> {
  const reg = await consentRegister(db, compoundId);
  const holding = new Map<number, Set<number>>();
  for (const e of reg.events) {
    if (e.kind === "face-enrolled") (holding.get(e.gate) ?? holding.set(e.gate, new Set()).get(e.gate)!).add(e.subject);
    if (e.kind === "face-erased") holding.get(e.gate)?.delete(e.subject);
  }
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
    templatesByGate: [...holding].filter(([, s]) => s.size > 0).map(([gate, s]) => ({ gate, residents: s.size })).sort((a, b) => a.gate - b.gate),
  };
}
