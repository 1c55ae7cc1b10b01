// Residents: the list (keyset pages of 50, a unit search posted, never put in
// the URL), add, edit, suspend and resume. Changes go through the hub's
// putResidents, so every gate gets them as signed change sets; each is
// recorded in the office log with who made it.
import type { FastifyInstance } from "fastify";
import { roleAllows } from "../../../src/core/console/roles";
import type { Status } from "../../../src/core/access/types";
import { access } from "./access";
import { html } from "./html";
import { readForm, residentForm, valuesOf, localDay } from "./resident-form";
import { parseId, RESIDENT_ID_MAX } from "./params";
import { nextResidentId, residentById, residentCount, residentInput, residentPage, type ResidentRow } from "./residents-data";
import type { OfficeContext } from "./server";
import type { View } from "./layout";
import { codesSection } from "./codes-routes";


/** A resident's id, 1 and up (0 names no one). */
const idParam = (raw: unknown): number | undefined => parseId(raw, RESIDENT_ID_MAX) || undefined;

export function residentRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const list = async (view: View, after: number | undefined, unitPrefix: string | undefined) => {
    const { t, session } = view;
    const [{ rows, more }, count] = await Promise.all([residentPage(ctx.db, ctx.compoundId, { after, unitPrefix }), residentCount(ctx.db, ctx.compoundId)]);
    const canEdit = roleAllows(session!.user.role, "operator");
    const last = rows.at(-1)?.id;
    const cells = (r: ResidentRow) => html`<tr><td><a href="/residents/${r.id}">${r.id}</a></td><td>${r.unit}</td><td>${t(r.role)}</td><td>${t(r.status)}</td>
<td>${r.cards.length}</td><td>${r.hasPin ? t("pinSet") : t("pinNone")}</td><td>${localDay(r.validUntil === undefined ? undefined : r.validUntil - 1000, ctx.zone) || "–"}</td></tr>`;
    return html`<p>${t("count", { count })}</p>
<p>${canEdit ? html`<a href="/residents/new">${t("add")}</a> · <a href="/residents/import">${t("import")}</a> · ` : ""}<a href="/residents/export.csv">${t("exportCsv")}</a></p>
<form method="post" action="/residents/search" role="search"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="unitPrefix">${t("search")}</label><input id="unitPrefix" name="unitPrefix" value="${unitPrefix ?? ""}" maxlength="8"> <button>${t("searchButton")}</button></form>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("id")}</th><th scope="col">${t("unit")}</th><th scope="col">${t("role")}</th><th scope="col">${t("status")}</th>
<th scope="col">${t("cards")}</th><th scope="col">${t("pin")}</th><th scope="col">${t("validUntil")}</th></tr></thead>
<tbody>${rows.length ? rows.map(cells) : html`<tr><td colspan="7">${t("none")}</td></tr>`}</tbody></table></div>
<nav aria-label="pages">${after ? html`<a href="/residents">${t("previous")}</a> ` : ""}${more && last !== undefined ? (unitPrefix
      ? html`<form method="post" action="/residents/search" class="inline"><input type="hidden" name="_csrf" value="${session!.csrf}"><input type="hidden" name="unitPrefix" value="${unitPrefix}"><input type="hidden" name="after" value="${last}"><button>${t("next")}</button></form>`
      : html`<a href="/residents?after=${last}" rel="next">${t("next")}</a>`) : ""}</nav>`;
  };

  app.get("/residents", access("auditor"), async (request, reply) => {
    const after = idParam((request.query as Record<string, unknown>).after);
    return ctx.send(reply, request.view, request.view.t("residents"), await list(request.view, after, undefined));
  });
  app.post("/residents/search", access("auditor"), async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const prefix = typeof body.unitPrefix === "string" ? body.unitPrefix.trim().slice(0, 8) : "";
    return ctx.send(reply, request.view, request.view.t("residents"), await list(request.view, idParam(body.after), prefix || undefined));
  });

  app.get("/residents/new", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    return ctx.send(reply, request.view, t("add"), residentForm(t, session!.csrf, "/residents", valuesOf(undefined, ctx.zone), [], false));
  });
  app.post("/residents", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    const id = await nextResidentId(ctx.db, ctx.compoundId);
    const form = readForm(request.body as Record<string, unknown>, id, "active", undefined, ctx.zone);
    if (!form.input) return ctx.send(reply, request.view, t("add"), residentForm(t, session!.csrf, "/residents", form.values, form.errors, false), 400);
    try {
      await ctx.hub.putResidents(ctx.compoundId, [form.input]);
    } catch (error) {
      return ctx.send(reply, request.view, t("add"), residentForm(t, session!.csrf, "/residents", form.values, [refusal(error)], false), 409);
    }
    await ctx.audit(request, "resident add", `resident ${id} unit ${form.input.unit} role ${form.input.role} cards ${form.input.cards.length}`);
    return reply.redirect(`/residents/${id}`, 303);
  });

  app.get("/residents/:id", access("auditor"), async (request, reply) => {
    const { t, session } = request.view;
    const id = idParam((request.params as Record<string, unknown>).id);
    const r = id === undefined ? undefined : await residentById(ctx.db, ctx.compoundId, id);
    if (!r) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    const canEdit = roleAllows(session!.user.role, "operator");
    const next: Status = r.status === "active" ? "suspended" : "active";
    return ctx.send(reply, request.view, `${t("unit")} ${r.unit} · ${t("id")} ${r.id}`, html`<p>${t("status")}: ${t(r.status)} · ${t("pin")}: ${r.hasPin ? t("pinSet") : t("pinNone")}</p>
${residentForm(t, session!.csrf, `/residents/${r.id}`, valuesOf(r, ctx.zone), [], !canEdit)}
${canEdit && r.hasPin ? html`<form method="post" action="/residents/${r.id}/pin-reset"><input type="hidden" name="_csrf" value="${session!.csrf}"><button>${t("pinReset")}</button></form>` : ""}
${canEdit ? html`<form method="post" action="/residents/${r.id}/status"><input type="hidden" name="_csrf" value="${session!.csrf}"><input type="hidden" name="status" value="${next}"><button>${next === "suspended" ? t("suspend") : t("resume")}</button></form>` : ""}
${await codesSection(request.view, ctx, r.id)}`);
  });

  app.post("/residents/:id", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    const id = idParam((request.params as Record<string, unknown>).id);
    const old = id === undefined ? undefined : await residentInput(ctx.db, ctx.compoundId, id);
    if (!old || id === undefined) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    const form = readForm(request.body as Record<string, unknown>, id, old.status ?? "active", old.pin, ctx.zone);
    if (!form.input) return ctx.send(reply, request.view, t("save"), residentForm(t, session!.csrf, `/residents/${id}`, form.values, form.errors, false), 400);
    try {
      await ctx.hub.putResidents(ctx.compoundId, [form.input]);
    } catch (error) {
      return ctx.send(reply, request.view, t("save"), residentForm(t, session!.csrf, `/residents/${id}`, form.values, [refusal(error)], false), 409);
    }
    await ctx.audit(request, "resident edit", `resident ${id}`);
    return reply.redirect(`/residents/${id}`, 303);
  });

  // Clears the PIN verifier everywhere (the resident chooses a new PIN at a gate); no PIN is ever shown or set here.
  app.post("/residents/:id/pin-reset", access("operator"), async (request, reply) => {
    const { t } = request.view;
    const id = idParam((request.params as Record<string, unknown>).id);
    const old = id === undefined ? undefined : await residentInput(ctx.db, ctx.compoundId, id);
    if (!old) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    if (old.status === "active" && old.cards.length === 0) return ctx.send(reply, request.view, t("pinReset"), html`<p class="error">${t("noCredential")}</p>`, 409);
    await ctx.hub.putResidents(ctx.compoundId, [{ ...old, pin: undefined }]);
    await ctx.audit(request, "pin reset", `resident ${old.id}`);
    return reply.redirect(`/residents/${old.id}`, 303);
  });

  app.post("/residents/:id/status", access("operator"), async (request, reply) => {
    const { t } = request.view;
    const id = idParam((request.params as Record<string, unknown>).id);
    const old = id === undefined ? undefined : await residentInput(ctx.db, ctx.compoundId, id);
    const status = (request.body as Record<string, unknown>).status;
    if (!old || (status !== "active" && status !== "suspended")) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    if (status === "active" && old.cards.length === 0 && !old.pin) return ctx.send(reply, request.view, t("resume"), html`<p class="error">${t("noCredential")}</p>`, 409);
    await ctx.hub.putResidents(ctx.compoundId, [{ ...old, status }]);
    await ctx.audit(request, status === "active" ? "resident resume" : "resident suspend", `resident ${old.id}`);
    return reply.redirect(`/residents/${old.id}`, 303);
  });
}

/** What the hub or the database refused, without echoing stack traces. */
function refusal(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/duplicate key|card_pkey/.test(message)) return "A card is already held by another resident.";
  return message.split("\n")[0].slice(0, 200);
}
