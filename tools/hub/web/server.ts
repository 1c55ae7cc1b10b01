// The management office's web page, served by the hub (Fastify). Every route
// declares who may use it (access.ts): `PUBLIC` (login, language, style) or
// `access(role)`, the least role it needs (auditor < operator < installer).
// One hook enforces it for all routes, so a route added without a config is
// refused to everyone until it says otherwise. Every POST carries the session's CSRF token, and
// cookies are SameSite=Strict and HttpOnly.
//
//   const { app } = await buildOffice({ db, hub, compoundId: 1 });
//   await app.listen({ host: "127.0.0.1", port: 8080 });
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import { roleAllows } from "../../../src/core/console/roles";
import { parseTimeZone, type TimeZone } from "../../../src/core/time/posix-tz";
import type { Db } from "../db";
import type { Hub } from "../hub";
import { access, PUBLIC, type RouteAccess } from "./access";
import { verifyLogin } from "./accounts";
import { html, type Html } from "./html";
import { chooseLang, translator, type Lang } from "./i18n";
import { page, STYLE, type View } from "./layout";
import { recordOfficeAction } from "./office-log";
import { closeSession, csrfMatches, findSession, openSession, IDLE_MS, type Session } from "./sessions";
import { clearUserFailures, loginWait, recordFailure } from "./throttle";
import { residentRoutes } from "./residents-routes";
import { codeRoutes } from "./codes-routes";
import { officeLogRoutes } from "./office-log-routes";
import { gateRoutes } from "./gates-routes";
import { auditRoutes } from "./audit-routes";
import { csvRoutes } from "./csv-routes";
import { consentRoutes } from "./consent-routes";
import { activityRoutes } from "./activity-routes";
import { reportRoutes } from "./report-routes";
import { userRoutes } from "./users-routes";
import { scheduleRoutes } from "./schedules-routes";
import { officeAssets } from "./assets";

export const SESSION_COOKIE = "og_session";

export interface OfficeOptions {
  db: Db;
  hub: Hub;
  compoundId: number;
  /** The compound's local time (POSIX TZ) for dates typed and shown. Default China, CST-8. */
  timeZone?: string;
  now?: () => number;
  /** Cookies only over HTTPS (production behind TLS). Default false for 127.0.0.1. */
  secureCookies?: boolean;
}

declare module "fastify" {
  interface FastifyRequest { session?: Session; view: View }
  interface FastifyContextConfig { access?: RouteAccess }
}

export interface OfficeContext {
  db: Db;
  hub: Hub;
  compoundId: number;
  zone: TimeZone;
  now: () => number;
  send(reply: FastifyReply, view: View, title: string, body: Html, status?: number, options?: { charts?: boolean }): FastifyReply;
  audit(request: FastifyRequest, action: string, detail: string): Promise<void>;
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

export interface OfficeApp {
  app: FastifyInstance;
  /** Every route with the access it declared (the tests walk it). */
  routes: { method: string; url: string; access?: RouteAccess }[];
}

export async function buildOffice(options: OfficeOptions): Promise<OfficeApp> {
  const now = options.now ?? Date.now;
  // No request logging: URLs and bodies may name residents.
  const app = Fastify({ logger: false, bodyLimit: 12 * 1024 * 1024, trustProxy: false });
  const routes: OfficeApp["routes"] = [];
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) if (method !== "HEAD") routes.push({ method, url: r.url, access: (r.config as { access?: RouteAccess } | undefined)?.access });
  });
  await app.register(cookie);
  await app.register(formbody);
  // Uploads (CSV import) arrive as fields on the body, the file as a Buffer; at most one 8 MB file.
  await app.register(multipart, { attachFieldsToBody: "keyValues", limits: { fileSize: 8 * 1024 * 1024, files: 1, fields: 8 } });
  const db = options.db;
  const ctx: OfficeContext = {
    db, hub: options.hub, compoundId: options.compoundId, zone: parseTimeZone(options.timeZone ?? "CST-8"), now,
    send(reply, view, title, body, status = 200, options = {}) {
      return reply.code(status).type("text/html; charset=utf-8").send(page(view, title, body, options).text);
    },
    async audit(request, action, detail) {
      await recordOfficeAction(db, request.session?.user, action, detail, now());
    },
  };
  const cookieOptions = { path: "/", httpOnly: true, sameSite: "strict" as const, secure: options.secureCookies ?? false };

  app.decorateRequest("session", undefined);
  app.decorateRequest("view", undefined as unknown as View);
  app.addHook("onSend", async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  // Who may do what, for every route (preHandler: after the form body is parsed, for the CSRF token).
  app.addHook("preHandler", async (request, reply) => {
    const lang: Lang = chooseLang(request.cookies.lang, request.headers["accept-language"]);
    request.session = await findSession(db, request.cookies[SESSION_COOKIE], now());
    request.view = { lang, t: translator(lang), session: request.session };
    const access = request.routeOptions.config.access;
    if (access?.public) return;
    // No route: the not-found handler answers (the same 404 with or without a session).
    if (request.routeOptions.url === undefined) return;
    if (!request.session) {
      if (request.method === "GET") return reply.redirect("/login", 303);
      return reply.code(401).type("text/plain; charset=utf-8").send("Log in first.");
    }
    if (!access?.role || !roleAllows(request.session.user.role, access.role)) {
      return ctx.send(reply, request.view, request.view.t("forbidden"), html`<p class="error">${request.view.t("forbidden")}</p>`, 403);
    }
    if (request.method !== "GET" && request.method !== "HEAD" && !csrfMatches(request.session, (request.body as Record<string, unknown> | undefined)?._csrf)) {
      return ctx.send(reply, request.view, request.view.t("badForm"), html`<p class="error">${request.view.t("badForm")} (CSRF).</p>`, 403);
    }
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).type("text/plain; charset=utf-8").send("Not found."));
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    reply.code(status >= 400 && status < 600 ? status : 500).type("text/plain; charset=utf-8").send(status < 500 ? "Bad request." : "Something went wrong on the hub.");
  });

  app.get("/assets/office.css", PUBLIC, async (_request, reply) => reply.type("text/css; charset=utf-8").header("cache-control", "max-age=3600").send(STYLE));
  app.get("/favicon.ico", PUBLIC, async (_request, reply) => reply.code(204).send());
  app.get("/assets/charts.js", PUBLIC, async (_request, reply) => reply.type("text/javascript; charset=utf-8").header("cache-control", "max-age=3600").send((await officeAssets()).script));
  app.get("/assets/uplot.css", PUBLIC, async (_request, reply) => reply.type("text/css; charset=utf-8").header("cache-control", "max-age=3600").send((await officeAssets()).css));
  app.post("/lang", PUBLIC, async (request, reply) => {
    const lang = (request.body as Record<string, unknown> | undefined)?.lang;
    if (lang === "en" || lang === "zh") reply.setCookie("lang", lang, { ...cookieOptions, httpOnly: false, maxAge: 365 * 86400 });
    return reply.redirect(request.session ? "/residents" : "/login", 303);
  });

  const loginForm = (view: View, message?: string, status = 200, reply?: FastifyReply) => {
    const { t } = view;
    return ctx.send(reply!, view, t("login"), html`${message ? html`<p class="error" role="alert">${message}</p>` : ""}
<form method="post" action="/login">
<label for="username">${t("username")}</label><input id="username" name="username" autocomplete="username" required maxlength="32" autofocus>
<label for="password">${t("password")}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<p><button>${t("login")}</button></p></form>`, status);
  };
  app.get("/login", PUBLIC, async (request, reply) => (request.session ? reply.redirect("/residents", 303) : loginForm(request.view, undefined, 200, reply)));
  app.post("/login", PUBLIC, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === "string" ? body.username.trim().toLowerCase().slice(0, 64) : "";
    const password = typeof body.password === "string" ? body.password.slice(0, 256) : "";
    const { t } = request.view;
    const wait = await loginWait(db, username, request.ip, now());
    if (wait > 0) {
      reply.header("retry-after", String(Math.ceil(wait / 1000)));
      return loginForm(request.view, t("loginThrottled", { minutes: Math.ceil(wait / 60_000) }), 429, reply);
    }
    const user = await verifyLogin(db, username, password);
    if (!user) {
      await recordFailure(db, username, request.ip, now());
      return loginForm(request.view, t("loginFailed"), 401, reply);
    }
    await clearUserFailures(db, username);
    const { token } = await openSession(db, user, now());
    await recordOfficeAction(db, user, "login", "", now());
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: Math.floor(IDLE_MS / 1000) * 24 });
    return reply.redirect("/residents", 303);
  });
  app.post("/logout", access("auditor"), async (request, reply) => {
    await closeSession(db, request.session!);
    await ctx.audit(request, "logout", "");
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.redirect("/login", 303);
  });
  app.get("/", access("auditor"), async (_request, reply) => reply.redirect("/residents", 303));

  csvRoutes(app, ctx);
  residentRoutes(app, ctx);
  codeRoutes(app, ctx);
  scheduleRoutes(app, ctx);
  officeLogRoutes(app, ctx);
  gateRoutes(app, ctx);
  auditRoutes(app, ctx);
  consentRoutes(app, ctx);
  activityRoutes(app, ctx);
  reportRoutes(app, ctx);
  userRoutes(app, ctx);
  return { app, routes };
}
