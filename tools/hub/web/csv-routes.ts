// Residents' CSV at the office: export (auditors and up), and import
// (operators): upload → every problem with its line, or what would change →
// apply, planned again from the posted text so nothing stale is applied.
import type { FastifyInstance } from "fastify";
import { access } from "./access";
import { html } from "./html";
import { exportResidentsCsv, planResidentImport, CSV_HEADER } from "./resident-csv";
import type { OfficeContext } from "./server";


function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return "";
}

export function csvRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  app.get("/residents/export.csv", access("auditor"), async (request, reply) => {
    const csv = await exportResidentsCsv(ctx.db, ctx.compoundId, ctx.zone);
    await ctx.audit(request, "residents export", `${csv.split("\r\n").length - 2} rows`);
    return reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="residents.csv"').send(`\ufeff${csv}`);
  });

  app.get("/residents/import", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    return ctx.send(reply, request.view, t("import"), html`<p>${t("importHelp")}</p><p><code>${CSV_HEADER.join(",")}</code></p>
<form method="post" action="/residents/import" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="file">${t("csvFile")}</label><input id="file" name="file" type="file" accept=".csv,text/csv" required>
<p><button>${t("check")}</button></p></form>`);
  });

  app.post("/residents/import", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    const csv = text((request.body as Record<string, unknown>).file);
    const plan = await planResidentImport(ctx.db, ctx.compoundId, csv, ctx.zone);
    if (plan.problems.length) {
      return ctx.send(reply, request.view, t("import"), html`<p class="error" role="alert">${t("importRefused", { count: plan.problems.length })}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("line")}</th><th scope="col">${t("problem")}</th></tr></thead>
<tbody>${plan.problems.map((p) => html`<tr><td>${p.line}</td><td>${p.message}</td></tr>`)}</tbody></table></div>
<p><a href="/residents/import">${t("import")}</a></p>`, 400);
    }
    return ctx.send(reply, request.view, t("import"), html`<p>${t("importPlan", { added: plan.added, changed: plan.changed })}</p>
<form method="post" action="/residents/import/apply"><input type="hidden" name="_csrf" value="${session!.csrf}"><input type="hidden" name="csv" value="${csv}">
<p><button>${t("apply")}</button></p></form>`);
  });

  app.post("/residents/import/apply", access("operator"), async (request, reply) => {
    const { t } = request.view;
    const plan = await planResidentImport(ctx.db, ctx.compoundId, text((request.body as Record<string, unknown>).csv), ctx.zone);
    if (plan.problems.length || plan.inputs.length === 0) {
      return ctx.send(reply, request.view, t("import"), html`<p class="error" role="alert">${t("importRefused", { count: plan.problems.length })}</p>
<ul>${plan.problems.map((p) => html`<li>${t("line")} ${p.line}: ${p.message}</li>`)}</ul>`, 400);
    }
    await ctx.hub.putResidents(ctx.compoundId, plan.inputs);
    await ctx.audit(request, "residents import", `${plan.added} added, ${plan.changed} changed`);
    return ctx.send(reply, request.view, t("import"), html`<p class="ok" role="status">${t("importDone", { added: plan.added, changed: plan.changed })}</p><p><a href="/residents">${t("residents")}</a></p>`);
  });
}
