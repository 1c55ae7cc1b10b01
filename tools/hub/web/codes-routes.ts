// Visitor and courier codes on a resident's page: the live and ended codes
// (never a code: the hub has none), "issue code" (validity in hours, uses)
// and "revoke". An issued code is shown once, in the answer to the POST that
// made it (no-store, never in a URL, never logged); the hub keeps only copies
// sealed to each gate (../codes.ts). The office log names the code by its
// number at the hub.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { roleAllows } from "../../../src/core/console/roles";
import { MAX_CODE_USES, type IssuedCode } from "../codes";
import { access } from "./access";
import { html, type Html } from "./html";
import { parseId, RESIDENT_ID_MAX } from "./params";
import { residentById } from "./residents-data";
import type { OfficeContext } from "./server";
import type { View } from "./layout";

/** Longest validity the page issues: 30 days. */
export const MAX_CODE_HOURS = 720;
const CODE_ID_MAX = Number.MAX_SAFE_INTEGER;

const idParam = (raw: unknown): number | undefined => parseId(raw, RESIDENT_ID_MAX) || undefined;

function localTime(ms: number, ctx: OfficeContext): string {
  return new Date(ms + ctx.zone.offsetMs(ms)).toISOString().slice(0, 16).replace("T", " ");
}

/** The codes section of a resident's page. */
export async function codesSection(view: View, ctx: OfficeContext, residentId: number, errors: string[] = []): Promise<Html> {
  const { t, session } = view;
  const codes = await ctx.hub.codes.list(ctx.compoundId, residentId);
  const canEdit = roleAllows(session!.user.role, "operator");
  const state = (c: IssuedCode) => c.endedWhy === "revoked" ? t("codeRevoked") : c.endedWhy === "used" ? t("codeUsedUp") : c.validUntil <= ctx.now() ? t("codeExpired") : t("codeLive");
  const row = (c: IssuedCode) => html`<tr><td>${c.id}</td><td>${localTime(c.validFrom, ctx)}</td><td>${localTime(c.validUntil, ctx)}</td>
<td>${c.usesSeen} / ${c.uses}</td><td>${state(c)}</td><td>${c.gates.length ? c.gates.join(", ") : "–"}</td><td>${c.issuedBy}</td>
<td>${canEdit && c.endedAt === undefined ? html`<form method="post" action="/residents/${residentId}/codes/${c.id}/revoke" class="inline"><input type="hidden" name="_csrf" value="${session!.csrf}"><button>${t("codeRevoke")}</button></form>` : ""}</td></tr>`;
  return html`<section aria-labelledby="codes"><h2 id="codes">${t("codes")}</h2>
<p>${t("codesHelp")}</p>
${errors.length ? html`<ul class="error" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ""}
<div class="table-wrap"><table><thead><tr><th scope="col">${t("id")}</th><th scope="col">${t("validFrom")}</th><th scope="col">${t("validUntil")}</th>
<th scope="col">${t("codeUses")}</th><th scope="col">${t("status")}</th><th scope="col">${t("gates")}</th><th scope="col">${t("who")}</th><th scope="col"></th></tr></thead>
<tbody>${codes.length ? codes.map(row) : html`<tr><td colspan="8">${t("none")}</td></tr>`}</tbody></table></div>
${canEdit ? html`<form method="post" action="/residents/${residentId}/codes"><input type="hidden" name="_csrf" value="${session!.csrf}">
<p><label for="codeHours">${t("codeHours")}</label> <input id="codeHours" name="hours" type="number" min="1" max="${MAX_CODE_HOURS}" value="24" required>
<label for="codeUsesIn">${t("codeUses")}</label> <input id="codeUsesIn" name="uses" type="number" min="1" max="${MAX_CODE_USES}" value="1" required>
<button>${t("codeIssue")}</button></p></form>` : ""}</section>`;
}

/** A whole number typed in a form, lo..hi, or undefined. */
function count(raw: unknown, lo: number, hi: number): number | undefined {
  const n = parseId(raw, hi);
  return n !== undefined && n >= lo ? n : undefined;
}

export function codeRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const resident = async (request: FastifyRequest) => {
    const id = idParam((request.params as Record<string, unknown>).id);
    return id === undefined ? undefined : residentById(ctx.db, ctx.compoundId, id);
  };
  const notFound = (request: FastifyRequest, reply: FastifyReply) => ctx.send(reply, request.view, request.view.t("notFound"), html`<p>${request.view.t("notFound")}</p>`, 404);

  app.post("/residents/:id/codes", access("operator"), async (request, reply) => {
    const { t } = request.view;
    const r = await resident(request);
    if (!r) return notFound(request, reply);
    const body = request.body as Record<string, unknown>;
    const hours = count(body.hours, 1, MAX_CODE_HOURS), uses = count(body.uses, 1, MAX_CODE_USES);
    const title = `${t("codes")} · ${t("unit")} ${r.unit}`;
    if (hours === undefined || uses === undefined) {
      return ctx.send(reply, request.view, title, await codesSection(request.view, ctx, r.id, [t("codeBadForm", { hours: MAX_CODE_HOURS, uses: MAX_CODE_USES })]), 400);
    }
    const now = ctx.now();
    let issued;
    try {
      issued = await ctx.hub.codes.issue(ctx.compoundId, r.id, { validFrom: now, validUntil: now + hours * 3_600_000, uses }, request.view.session!.user.username);
    } catch (error) {
      return ctx.send(reply, request.view, title, await codesSection(request.view, ctx, r.id, [(error instanceof Error ? error.message : String(error)).slice(0, 200)]), 409);
    }
    await ctx.audit(request, "code issue", `resident ${r.id} code ${issued.id} uses ${uses} hours ${hours} gates ${issued.gates.join(",") || "none"}`);
    // Shown here once: the answer to this POST is not cached (no-store) and the hub keeps no copy.
    return ctx.send(reply, request.view, title, html`<div class="issued" role="status"><p>${t("codeShownOnce")}</p>
<p class="code" lang="en"><strong id="issued-code">${issued.code}</strong></p>
<p>${issued.gates.length ? t("codeSentTo", { gates: issued.gates.join(", ") }) : t("codeNoGate")}</p></div>
<p><a href="/residents/${r.id}">${t("codeBack")}</a></p>`);
  });

  app.post("/residents/:id/codes/:code/revoke", access("operator"), async (request, reply) => {
    const r = await resident(request);
    const codeId = parseId((request.params as Record<string, unknown>).code, CODE_ID_MAX);
    if (!r || codeId === undefined) return notFound(request, reply);
    const owned = (await ctx.hub.codes.list(ctx.compoundId, r.id)).some((c) => c.id === codeId);
    if (!owned || !(await ctx.hub.codes.revoke(ctx.compoundId, codeId))) return notFound(request, reply);
    await ctx.audit(request, "code revoke", `resident ${r.id} code ${codeId}`);
    return reply.redirect(`/residents/${r.id}`, 303);
  });
}
