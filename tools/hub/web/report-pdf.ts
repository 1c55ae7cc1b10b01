// The compliance report as a one-page PDF (pdfkit, its built-in Helvetica:
// nothing embedded, nothing fetched). English only: a Chinese PDF needs a CJK
// font packaged with the hub, which it does not have yet; the page itself
// (/report) is bilingual and prints.
import PDFDocument from "pdfkit";
import { formatLocal, type TimeZone } from "../../../src/core/time/posix-tz";
import { minutes } from "./camera-data";
import { duration } from "./consent-routes";
import type { ComplianceFacts } from "./report-data";
import { translator, type Translate } from "./i18n";

export function reportLines(f: ComplianceFacts, zone: TimeZone, t: Translate): [string, string][] {
  return [
    [t("rCompound"), String(f.compoundId)],
    [t("rGenerated"), formatLocal(f.generatedAt, zone)],
    [t("rResidents"), String(f.residents)],
    [t("rConsenting"), String(f.consentingNow)],
    [t("rCardOnly"), String(f.cardOrPinOnly)],
    [t("rConsents"), String(f.consentsGiven)],
    [t("rWithdrawals"), String(f.withdrawals)],
    [t("rErased"), String(f.erasuresDone)],
    [t("rPending"), String(f.erasuresPending)],
    [t("rMedian"), f.delayMedian === undefined ? "-" : duration(f.delayMedian)],
    [t("rLongest"), f.delayMax === undefined ? "-" : duration(f.delayMax)],
    [t("rRetention"), String(f.retentionErasures)],
    [t("rHeld"), f.templatesByGate.length ? f.templatesByGate.map((g) => `${g.gate}: ${g.residents}`).join(", ") : t("none")],
    [t("rHubHeld"), t("rHubNone")],
    [t("rCamera", { from: f.camera.days[0], until: f.camera.days[f.camera.days.length - 1] }), minutes(f.camera.total)],
    [t("rCameraByGate"), f.camera.gates.length ? f.camera.gates.map((g) => `${g.gate}: ${minutes(g.total)}`).join(", ") : t("none")],
  ];
}

export const PURPOSE = "Entry to the compound. Face recognition is optional: every resident holds a card or PIN that always works; " +
  "the camera runs only in a face session a consenting resident starts at the keypad; frames stay in RAM and are zeroed; " +
  "templates are stored encrypted at the gate where the resident enrolled and erased at once when consent is withdrawn.";

export function compliancePdf(f: ComplianceFacts, zone: TimeZone): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: `Face processing report, compound ${f.compoundId}`, Creator: "optgate hub" } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font("Helvetica-Bold").fontSize(16).text("Face processing: compliance report");
  doc.moveDown(0.5).font("Helvetica").fontSize(9).text("Facts for a personal information impact assessment (PIPL art. 55-56) and GB/T 35273-2020, from the hub's records of the gates.");
  doc.moveDown().font("Helvetica-Bold").fontSize(11).text("Purpose");
  doc.font("Helvetica").fontSize(10).text(PURPOSE);
  doc.moveDown().font("Helvetica-Bold").fontSize(11).text("Figures");
  doc.moveDown(0.3);
  for (const [label, value] of reportLines(f, zone, translator("en"))) {
    const y = doc.y;
    doc.font("Helvetica").fontSize(10).text(label, 50, y, { width: 250 });
    doc.text(value, 310, y, { width: 235 });
    doc.moveDown(0.2);
  }
  doc.end();
  return done;
}
