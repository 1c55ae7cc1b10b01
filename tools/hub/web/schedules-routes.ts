// Groups & schedules: the compound's access groups (number = bit + 1, as the
// resident form numbers them), each day's time windows, and the holidays.
// Changes go through the hub's schedules (tools/hub/schedules.ts), so every
// gate concerned gets them as its next signed version; each is recorded in
// the office log with who made it. Bad input is shown with what is wrong and
// nothing is saved.
import type { FastifyInstance } from "fastify";
import type { Segment } from "../../../src/core/access/changes";
import { roleAllows } from "../../../src/core/console/roles";
import { GROUP_COUNT } from "../../../src/core/access/types";
import { ScheduleInputError, formatDay, formatSegments, parseHolidayDay, parseSegments, type AccessGroup } from "../schedules";
import { access } from "./access";
import { html, type Html } from "./html";
import type { Translate } from "./i18n";
import type { View } from "./layout";
import { parseId } from "./params";
import type { OfficeContext } from "./server";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

interface GroupValues { number: string; name: string; days: string[]; holiday: string }

const valuesOf = (g: AccessGroup | undefined): GroupValues => g
  ? { number: String(g.bit + 1), name: g.name, days: g.week.map(formatSegments), holiday: formatSegments(g.holiday) }
  : { number: "", name: "", days: DAYS.map(() => ""), holiday: "" };

/** The form as a group, or every mistake in it. */
function readGroup(body: Record<string, unknown>, fixedNumber?: number): { group?: AccessGroup; errors: string[]; values: GroupValues } {
  const text = (name: string, max = 200) => (typeof body[name] === "string" ? (body[name] as string).trim().slice(0, max) : "");
  const values: GroupValues = { number: fixedNumber === undefined ? text("number", 4) : String(fixedNumber), name: text("name", 40), days: DAYS.map((d) => text(d)), holiday: text("holiday") };
  const errors: string[] = [];
  const number = parseId(values.number, GROUP_COUNT);
  if (number === undefined || number < 1) errors.push(`Group: "${values.number}" is not a group number 1-${GROUP_COUNT}.`);
  const segments = (raw: string, what: string): Segment[] => {
    try {
      return parseSegments(raw, what);
    } catch (error) {
      errors.push((error as Error).message);
      return [];
    }
  };
  const week = DAYS.map((d, i) => segments(values.days[i], d.toUpperCase()[0] + d.slice(1)));
  const holiday = segments(values.holiday, "Holidays");
  if (errors.length || number === undefined) return { errors, values };
  return { group: { bit: number - 1, name: values.name, week, holiday }, errors, values };
}

function groupForm(t: Translate, csrf: string, action: string, v: GroupValues, errors: string[], numberFixed: boolean): Html {
  return html`${errors.length ? html`<div class="error" role="alert"><p>${t("groupUnsaved")}</p><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ""}
<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
<label for="number">${t("groupNumber")} (1-${GROUP_COUNT})</label><input id="number" name="number" value="${v.number}" inputmode="numeric" maxlength="2" required${numberFixed ? html` readonly` : ""}>
<label for="name">${t("groupName")}</label><input id="name" name="name" value="${v.name}" maxlength="32" required>
<p id="segments-hint">${t("segmentsHint")}</p>
${DAYS.map((d, i) => html`<label for="${d}">${t(d)}</label><input id="${d}" name="${d}" value="${v.days[i]}" maxlength="200" aria-describedby="segments-hint">`)}
<label for="holiday">${t("onHolidays")}</label><input id="holiday" name="holiday" value="${v.holiday}" maxlength="200" aria-describedby="segments-hint">
<p><button>${t("save")}</button></p></form>`;
}

/** What the office log says a group became. */
function describeGroup(g: AccessGroup): string {
  const days = g.week.map((d, i) => `${DAYS[i]} ${formatSegments(d) || "closed"}`).join("; ");
  return `group ${g.bit + 1} ${g.name}: ${days}; holidays ${formatSegments(g.holiday) || "closed"}`;
}

export function scheduleRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const schedules = ctx.hub.schedules;
  const overview = async (view: View, holidayErrors: string[] = [], holidayValues = { date: "", name: "" }): Promise<Html> => {
    const { t, session } = view;
    const canEdit = roleAllows(session!.user.role, "operator");
    const [groups, holidays] = await Promise.all([schedules.groups(ctx.compoundId), schedules.holidays(ctx.compoundId)]);
    const cell = (s: Segment[]) => formatSegments(s) || t("closed");
    return html`<p>${t("schedulesIntro")}</p>
${canEdit ? html`<p><a href="/schedules/groups/new">${t("addGroup")}</a></p>` : ""}
<div class="table-wrap"><table><thead><tr><th scope="col">${t("groupNumber")}</th><th scope="col">${t("groupName")}</th>${DAYS.map((d) => html`<th scope="col">${t(d)}</th>`)}<th scope="col">${t("onHolidays")}</th></tr></thead>
<tbody>${groups.length ? groups.map((g) => html`<tr><td><a href="/schedules/groups/${g.bit + 1}">${g.bit + 1}</a></td><td>${g.name}</td>${g.week.map((d) => html`<td>${cell(d)}</td>`)}<td>${cell(g.holiday)}</td></tr>`)
      : html`<tr><td colspan="10">${t("none")}</td></tr>`}</tbody></table></div>
<h2>${t("holidays")}</h2>
${holidayErrors.length ? html`<div class="error" role="alert"><p>${t("groupUnsaved")}</p><ul>${holidayErrors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ""}
<div class="table-wrap"><table><thead><tr><th scope="col">${t("holidayDate")}</th><th scope="col">${t("holidayName")}</th>${canEdit ? html`<th scope="col"></th>` : ""}</tr></thead>
<tbody>${holidays.length ? holidays.map((h) => html`<tr><td>${formatDay(h.day)}</td><td>${h.name}</td>${canEdit ? html`<td><form method="post" action="/schedules/holidays/remove" class="inline"><input type="hidden" name="_csrf" value="${session!.csrf}"><input type="hidden" name="date" value="${formatDay(h.day)}"><button>${t("remove")}</button></form></td>` : ""}</tr>`)
      : html`<tr><td colspan="3">${t("none")}</td></tr>`}</tbody></table></div>
${canEdit ? html`<form method="post" action="/schedules/holidays"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="date">${t("holidayDate")} (YYYY-MM-DD)</label><input id="date" name="date" value="${holidayValues.date}" maxlength="10" required>
<label for="hname">${t("holidayName")}</label><input id="hname" name="name" value="${holidayValues.name}" maxlength="32" required>
<p><button>${t("addHoliday")}</button></p></form>` : ""}`;
  };
  const numberParam = (raw: unknown) => {
    const n = parseId(raw, GROUP_COUNT);
    return n === undefined || n < 1 ? undefined : n;
  };

  app.get("/schedules", access("auditor"), async (request, reply) => ctx.send(reply, request.view, request.view.t("schedules"), await overview(request.view)));

  app.get("/schedules/groups/new", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    return ctx.send(reply, request.view, t("addGroup"), groupForm(t, session!.csrf, "/schedules/groups", valuesOf(undefined), [], false));
  });

  app.get("/schedules/groups/:number", access("auditor"), async (request, reply) => {
    const { t, session } = request.view;
    const number = numberParam((request.params as Record<string, unknown>).number);
    const g = number === undefined ? undefined : (await schedules.groups(ctx.compoundId)).find((x) => x.bit === number - 1);
    if (!g || number === undefined) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    const canEdit = roleAllows(session!.user.role, "operator");
    if (!canEdit) return ctx.send(reply, request.view, t("editGroup", { number }), html`<p>${describeGroup(g)}</p>`);
    return ctx.send(reply, request.view, t("editGroup", { number }), html`${groupForm(t, session!.csrf, "/schedules/groups", valuesOf(g), [], true)}
${number > 1 ? html`<form method="post" action="/schedules/groups/${number}/remove"><input type="hidden" name="_csrf" value="${session!.csrf}"><button>${t("removeGroup")}</button></form>` : ""}`);
  });

  app.post("/schedules/groups", access("operator"), async (request, reply) => {
    const { t, session } = request.view;
    const form = readGroup(request.body as Record<string, unknown>);
    const again = (errors: string[], status: number) => ctx.send(reply, request.view, t("addGroup"), groupForm(t, session!.csrf, "/schedules/groups", form.values, errors, false), status);
    if (!form.group) return again(form.errors, 400);
    try {
      await schedules.putGroup(ctx.compoundId, form.group);
    } catch (error) {
      if (error instanceof ScheduleInputError) return again([error.message], 400);
      throw error;
    }
    await ctx.audit(request, "group set", describeGroup(form.group));
    return reply.redirect("/schedules", 303);
  });

  app.post("/schedules/groups/:number/remove", access("operator"), async (request, reply) => {
    const { t } = request.view;
    const number = numberParam((request.params as Record<string, unknown>).number);
    if (number === undefined) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    try {
      await schedules.removeGroup(ctx.compoundId, number - 1);
    } catch (error) {
      if (error instanceof ScheduleInputError) return ctx.send(reply, request.view, t("removeGroup"), html`<p class="error" role="alert">${error.message}</p>`, 409);
      throw error;
    }
    await ctx.audit(request, "group remove", `group ${number}`);
    return reply.redirect("/schedules", 303);
  });

  app.post("/schedules/holidays", access("operator"), async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const date = typeof body.date === "string" ? body.date.trim().slice(0, 20) : "";
    const name = typeof body.name === "string" ? body.name.trim().slice(0, 64) : "";
    try {
      await schedules.addHoliday(ctx.compoundId, { day: parseHolidayDay(date), name });
    } catch (error) {
      if (error instanceof ScheduleInputError) return ctx.send(reply, request.view, request.view.t("schedules"), await overview(request.view, [error.message], { date, name }), 400);
      throw error;
    }
    await ctx.audit(request, "holiday add", `${date} ${name}`);
    return reply.redirect("/schedules", 303);
  });

  app.post("/schedules/holidays/remove", access("operator"), async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const date = typeof body.date === "string" ? body.date.trim().slice(0, 20) : "";
    let removed = false;
    try {
      removed = await schedules.removeHoliday(ctx.compoundId, parseHolidayDay(date));
    } catch (error) {
      if (!(error instanceof ScheduleInputError)) throw error;
    }
    if (!removed) return ctx.send(reply, request.view, request.view.t("notFound"), html`<p>${request.view.t("notFound")}</p>`, 404);
    await ctx.audit(request, "holiday remove", date);
    return reply.redirect("/schedules", 303);
  });
}
