// The office log page: every change made through the page, newest first (auditors and up).
import type { FastifyInstance } from "fastify";
import { formatLocal } from "../../../src/core/time/posix-tz";
import { access } from "./access";
import { html } from "./html";
import { officeLog } from "./office-log";
import type { OfficeContext } from "./server";

export function officeLogRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  app.get("/office-log", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const entries = await officeLog(ctx.db);
    return ctx.send(reply, request.view, t("audit"), html`<div class="table-wrap"><table><thead><tr><th scope="col">${t("at")}</th><th scope="col">${t("who")}</th><th scope="col">${t("action")}</th><th scope="col">${t("detail")}</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${formatLocal(e.at, ctx.zone)}</td><td>${e.username}</td><td>${e.action}</td><td>${e.detail}</td></tr>`)}</tbody></table></div>`);
  });
}
