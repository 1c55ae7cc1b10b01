// The compliance report: a printable page in the reader's language, and the same figures as a PDF.
import type { FastifyInstance } from "fastify";
import { access } from "./access";
import { html } from "./html";
import { compliancePdf, PURPOSE, reportLines } from "./report-pdf";
import { complianceFacts } from "./report-data";
import type { OfficeContext } from "./server";


export function reportRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  app.get("/report", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const facts = await complianceFacts(ctx.db, ctx.compoundId, ctx.zone, ctx.now());
    return ctx.send(reply, request.view, t("report"), html`<p>${t("reportIntro")}</p>
<h2>${t("purpose")}</h2><p>${request.view.lang === "zh" ? t("purposeText") : PURPOSE}</p>
<div class="table-wrap"><table><tbody>${reportLines(facts, ctx.zone, t).map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</tbody></table></div>
<p class="noprint"><a href="/report.pdf">PDF</a></p>`);
  });

  app.get("/report.pdf", access("auditor"), async (request, reply) => {
    const facts = await complianceFacts(ctx.db, ctx.compoundId, ctx.zone, ctx.now());
    const pdf = await compliancePdf(facts, ctx.zone, request.view.lang);
    await ctx.audit(request, "compliance report", `compound ${ctx.compoundId}`);
    return reply.type("application/pdf").header("content-disposition", `attachment; filename="face-report-compound-${ctx.compoundId}-${request.view.lang}.pdf"`).send(pdf);
  });
}
