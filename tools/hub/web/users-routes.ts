// Office accounts: installers add people with a role, disable or enable them
// and set a new password for them (every session of that account ends);
// everyone changes their own password with the current one. Passwords are
// never shown, stored only as scrypt verifiers.
import type { FastifyInstance } from "fastify";
import { ROLES, type Role } from "../../../src/core/console/roles";
import { num } from "../db";
import { addUser, setPassword, verifyLogin } from "./accounts";
import { access } from "./access";
import { html } from "./html";
import { parseId, USER_ID_MAX } from "./params";
import { loginWait, recordFailure } from "./throttle";
import type { OfficeContext } from "./server";


export function userRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const listPage = async (request: Parameters<OfficeContext["audit"]>[0], message?: string, error = false) => {
    const { t, session } = request.view;
    const users = await ctx.db.query<{ id: unknown; username: string; role: Role; disabled: boolean }>("select id, username, role, disabled from office_user order by username");
    return html`${message ? html`<p class="${error ? "error" : "ok"}" role="${error ? "alert" : "status"}">${message}</p>` : ""}
<div class="table-wrap"><table><thead><tr><th scope="col">${t("username")}</th><th scope="col">${t("role")}</th><th scope="col">${t("status")}</th><th scope="col"></th></tr></thead>
<tbody>${users.map((u) => html`<tr><td>${u.username}</td><td>${u.role}</td><td>${u.disabled ? t("disabled") : t("active")}</td><td>${num(u.id) === session!.user.id ? "" : html`
<form method="post" action="/users/${num(u.id)}/${u.disabled ? "enable" : "disable"}" class="inline"><input type="hidden" name="_csrf" value="${session!.csrf}"><button>${u.disabled ? t("enable") : t("disable")}</button></form>`}</td></tr>`)}</tbody></table></div>
<h2>${t("addUser")}</h2>
<form method="post" action="/users"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="username">${t("username")}</label><input id="username" name="username" required maxlength="32" autocomplete="off">
<label for="role">${t("role")}</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select>
<label for="password">${t("password")}</label><input id="password" name="password" type="password" required minlength="12" autocomplete="new-password">
<p><button>${t("addUser")}</button></p></form>`;
  };

  app.get("/users", access("installer"), async (request, reply) => ctx.send(reply, request.view, request.view.t("users"), await listPage(request)));

  app.post("/users", access("installer"), async (request, reply) => {
    const { t } = request.view;
    const body = request.body as Record<string, unknown>;
    const username = typeof body.username === "string" ? body.username.trim().toLowerCase() : "";
    try {
      await addUser(ctx.db, username, body.role as Role, typeof body.password === "string" ? body.password : "", ctx.now());
    } catch (error) {
      const message = /duplicate key|unique/.test(String(error)) ? t("userExists") : (error as Error).message;
      return ctx.send(reply, request.view, t("users"), await listPage(request, message, true), 400);
    }
    await ctx.audit(request, "office user add", `${username} ${String(body.role)}`);
    return ctx.send(reply, request.view, t("users"), await listPage(request, t("saved")));
  });

  for (const [action, disabled] of [["disable", true], ["enable", false]] as const) {
    app.post(`/users/:id/${action}`, access("installer"), async (request, reply) => {
      const id = parseId((request.params as Record<string, unknown>).id, USER_ID_MAX) ?? -1;
      if (id === request.session!.user.id) return ctx.send(reply, request.view, request.view.t("users"), await listPage(request, request.view.t("notYourself"), true), 409);
      const rows = await ctx.db.query<{ username: string }>("update office_user set disabled = $2 where id = $1 returning username", [id, disabled]);
      if (!rows.length) return ctx.send(reply, request.view, request.view.t("notFound"), html`<p>${request.view.t("notFound")}</p>`, 404);
      if (disabled) await ctx.db.query("delete from office_session where user_id = $1", [id]);
      await ctx.audit(request, `office user ${action}`, rows[0].username);
      return reply.redirect("/users", 303);
    });
  }

  app.get("/password", access("auditor"), async (request, reply) => {
    const { t, session } = request.view;
    return ctx.send(reply, request.view, t("changePassword"), html`<form method="post" action="/password"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="current">${t("currentPassword")}</label><input id="current" name="current" type="password" required autocomplete="current-password">
<label for="next">${t("newPassword")}</label><input id="next" name="next" type="password" required minlength="12" autocomplete="new-password">
<p><button>${t("save")}</button></p></form>`);
  });

  app.post("/password", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const body = request.body as Record<string, unknown>;
    const user = request.session!.user;
    const current = typeof body.current === "string" ? body.current : "", next = typeof body.next === "string" ? body.next : "";
    // The current password is guessed against the same throttle as logins (a stolen session must not become a guessing oracle).
    const wait = await loginWait(ctx.db, user.username, request.ip, ctx.now());
    if (wait > 0) return ctx.send(reply, request.view, t("changePassword"), html`<p class="error" role="alert">${t("loginThrottled", { minutes: Math.ceil(wait / 60_000) })}</p>`, 429);
    if (!(await verifyLogin(ctx.db, user.username, current))) {
      await recordFailure(ctx.db, user.username, request.ip, ctx.now());
      return ctx.send(reply, request.view, t("changePassword"), html`<p class="error" role="alert">${t("loginFailed")}</p>`, 403);
    }
    try {
      await setPassword(ctx.db, user.id, next);
    } catch (error) {
      return ctx.send(reply, request.view, t("changePassword"), html`<p class="error" role="alert">${(error as Error).message}</p>`, 400);
    }
    await ctx.audit(request, "office password", user.username);
    return reply.redirect("/login", 303);
  });
}
