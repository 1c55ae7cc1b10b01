// The compliance report as a one-page PDF (pdfkit). In English it is set in
// pdfkit's built-in Helvetica (nothing embedded); in Chinese in Noto Sans SC
// from the pinned npm package (cjk-font.ts), only the glyphs used embedded.
// Nothing is fetched either way.
import PDFDocument from "pdfkit";
import { formatLocal, type TimeZone } from "../../../src/core/time/posix-tz";
import { minutes } from "./camera-data";
import { duration } from "./consent-routes";
import type { ComplianceFacts } from "./report-data";
import { cjkFonts, cjkRuns } from "./cjk-font";
import { translator, type Lang, type Translate } from "./i18n";

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
    [t("rCameraByGate"), f.camera.gates.length ? f.camera.gates.map((g) => `${g.gate}: ${g.estimated ? "~" : ""}${minutes(g.total)}`).join(", ") : t("none")],
  ];
}

export const PURPOSE = "Entry to the compound. Face recognition is optional: every resident holds a card or PIN that always works; " +
  "the camera runs only in a face session a consenting resident starts at the keypad; frames stay in RAM and are zeroed; " +
  "templates are stored encrypted at the gate where the resident enrolled and erased at once when consent is withdrawn.";

interface Style { size: number; bold?: boolean }
interface Place { x: number; y: number; width: number }
/** Sets `text` at the cursor, or at `place` when given. */
type Writer = (text: string, style: Style, place?: Place) => void;

function helvetica(doc: PDFKit.PDFDocument): Writer {
  return (text, { size, bold }, place) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    if (place) doc.text(text, place.x, place.y, { width: place.width });
    else doc.text(text);
  };
}

/**
 * Noto Sans SC, one run per font file. fontkit cannot make an instance of this
 * variable font from WOFF2, so its glyphs are the default (thin) master; a
 * stroke over the fill gives them a reading weight, heavier for headings.
 */
function notoSansSc(doc: PDFKit.PDFDocument, fonts: Map<string, Buffer>): Writer {
  const registered = new Set<string>();
  return (text, { size, bold }, place) => {
    const runs = cjkRuns(text);
    doc.fontSize(size).lineWidth(bold ? 0.7 : 0.3);
    runs.forEach((run, i) => {
      if (run.subset === undefined) doc.font("Helvetica");
      else {
        const name = `NotoSansSC-${run.subset}`;
        if (!registered.has(name)) doc.registerFont(name, fonts.get(run.subset)!);
        registered.add(name);
        doc.font(name);
      }
      const options = { continued: i < runs.length - 1, fill: true, stroke: true, ...(place ? { width: place.width } : {}) };
      if (place && i === 0) doc.text(run.text, place.x, place.y, options);
      else doc.text(run.text, options);
    });
  };
}

export async function compliancePdf(f: ComplianceFacts, zone: TimeZone, lang: Lang = "en"): Promise<Buffer> {
  const t = translator(lang);
  const zh = lang === "zh";
  const lines = reportLines(f, zone, t);
  const texts = [t("pdfTitle"), t("pdfIntro"), t("purpose"), zh ? t("purposeText") : PURPOSE, t("figures"), ...lines.flat()];
  const fonts = zh ? await cjkFonts(texts) : undefined;
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: zh ? `${t("pdfTitle")}，${t("rCompound")} ${f.compoundId}` : `Face processing report, compound ${f.compoundId}`, Creator: "optgate hub" } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  const write = fonts ? notoSansSc(doc, fonts) : helvetica(doc);
  const [title, intro, purpose, purposeText, figures] = texts;
  write(title, { size: 16, bold: true });
  doc.moveDown(0.5);
  write(intro, { size: 9 });
  doc.moveDown();
  write(purpose, { size: 11, bold: true });
  write(purposeText, { size: 10 });
  doc.moveDown();
  write(figures, { size: 11, bold: true });
  doc.moveDown(0.3);
  for (const [label, value] of lines) {
    const y = doc.y;
    write(label, { size: 10 }, { x: 50, y, width: 250 });
    const below = doc.y;
    write(value, { size: 10 }, { x: 310, y, width: 235 });
    doc.y = Math.max(doc.y, below);
    doc.moveDown(0.2);
  }
  doc.end();
  return done;
}
