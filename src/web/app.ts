// SPDX-License-Identifier: MIT
/**
 * Builds the Fastify application: security headers, cookies, CSRF, sessions, the request-scoped
 * repository, page rendering, and each domain area's routes. Holds no state of its own beyond the
 * database handle, so any number of processes can serve the same database.
 */
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyMultipart from "@fastify/multipart";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { registerAccountRoutes } from "../account/routes.ts";
import { registerFamilyAssessmentRoutes } from "../assessments/family-routes.ts";
import { registerAssessmentRoutes } from "../assessments/routes.ts";
import { registerAuditRoutes } from "../audit/routes.ts";
import { registerAuthRoutes } from "../auth/routes.ts";
import { type CurrentSession, findSession, type SessionPolicy } from "../auth/session-store.ts";
import { ClientThrottle } from "../auth/throttle.ts";
import { registerChronologyRoutes } from "../chronology/routes.ts";
import type { HearthConfig } from "../config/config.ts";
import type { Repository } from "../data/repository.ts";
import { repositoryFor } from "../data/repository.ts";
import type { HearthDatabase } from "../db/database.ts";
import { registerEscalationRoutes } from "../escalations/routes.ts";
import { addNavigationCounts } from "../home/navigation-counts.ts";
import { registerHomeRoutes } from "../home/routes.ts";
import { registerImportRoutes } from "../imports/routes.ts";
import { registerIndicatorRoutes } from "../indicators/routes.ts";
import { type Action, can } from "../kernel/policy.ts";
import { registerLearningRoutes } from "../learning/routes.ts";
import { sendMailAfterChanges } from "../notifications/mail-hook.ts";
import { registerNotificationRoutes } from "../notifications/routes.ts";
import { registerHealthRoutes } from "../ops/health.ts";
import { registerOrganisationRoutes } from "../organisation/routes.ts";
import { registerPlanRoutes } from "../pathways/plans/routes.ts";
import { registerPathwayRoutes } from "../pathways/routes.ts";
import { registerHouseholdRoutes } from "../people/households/routes.ts";
import { registerPeopleRoutes } from "../people/routes.ts";
import { registerRetentionRoutes } from "../retention/routes.ts";
import { registerSettingsRoutes } from "../settings/routes.ts";
import { registerSignalRoutes } from "../signals/routes.ts";
import { registerSsoRoutes } from "../sso/routes.ts";
import { csrfTokenMatches, newCsrfToken, newPreSessionCsrfSecret, sessionCsrfSecret } from "./csrf.ts";
import { auditDenials, collectRoutes } from "./denials.ts";
import { notFound } from "./guards.ts";
import { fieldNameAsWords, fieldWithNul, malformedIdParam } from "./input-guards.ts";
import { navigationFor } from "./navigation.ts";
import { GOVUK_FRONTEND_DIST, SRC_DIR, viewEnvironment } from "./views.ts";

/**
 * A cookie's name: with the `__Host-` prefix when cookies are secure, so the browser keeps it only if it
 * was set over HTTPS, for this host alone (no Domain) and the whole site (Path=/), and no subdomain or
 * plain-HTTP page can plant or overwrite it.
 */
export const cookieName = (name: "hearth_session" | "hearth_csrf", secure: boolean): string =>
  secure ? `__Host-${name}` : name;

declare module "fastify" {
  interface FastifyRequest {
    /** The caller's session, if any (possibly still waiting for the second factor). */
    session: CurrentSession | undefined;
    /** The only door to the data, built from the fully signed-in caller (empty-handed otherwise). */
    repo: Repository;
    /**
     * Loads something once for this request (navigation counts, a list two parts of a page show): later
     * calls with the same key share the first load. Never carried from one request to another.
     */
    memo: <T>(key: string, load: () => Promise<T>) => Promise<T>;
  }
  interface FastifyReply {
    /** Renders a page template with the layout's context. */
    page: (template: string, data?: Record<string, unknown>) => FastifyReply;
  }
}

/** Everything a route module needs from the app. */
export type AppContext = {
  app: FastifyInstance;
  database: HearthDatabase;
  config: HearthConfig;
  sessionPolicy: SessionPolicy;
  /** Sets the session cookie after sign-in (and drops the pre-sign-in CSRF cookie). */
  setSessionCookie: (reply: FastifyReply, token: string) => void;
  /** Clears the session cookie and the CSRF cookie. */
  clearSessionCookie: (reply: FastifyReply) => void;
  /** Limits failed sign-ins per client in this process. */
  clientThrottle: ClientThrottle;
};

/** Static files (stylesheets, scripts, fonts, images) hold no personal data and may be cached. */
const isStaticAsset = (url: string): boolean => /^\/(govuk|assets|public)\//.test(url);

// Invite links carry a secret in the path, and query strings can carry a name searched for or a sign-in
// code: the logs keep the path alone, with the invite's secret taken out.
export const redactUrl = (url: string): string =>
  (url.split("?")[0] ?? "").replace(/\/invite\/[^/?#]+/, "/invite/[redacted]");

/** A request id from the proxy in front (X-Request-Id), if it is a plain token, else a new one. */
const requestIdOf = (request: { headers: Record<string, string | string[] | undefined> }): string => {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._-]{8,128}$/.test(given) ? given : crypto.randomUUID();
};

/** The pages read in one transaction per request (see the onRequest hook). */
const ONE_TRANSACTION_PAGES: ReadonlySet<string> = new Set([
  "/",
  "/people",
  "/people/:personId",
  "/people/:personId/history",
  "/people/:personId/chronology",
  "/people/:personId/chronology/new",
  "/people/:personId/family-chronology",
  "/pathways/alerts",
  "/admin/users",
]);

/**
 * Creates the Fastify app over an open database.
 * @param options - The configuration and database.
 * @returns The app, ready to `listen` or `inject`.
 */

export const buildApp = async (options: {
  config: HearthConfig;
  database: HearthDatabase;
  /** Where the JSON log lines go (standard output unless a test reads them). */
  logStream?: NodeJS.WritableStream;
}): Promise<FastifyInstance> => {
  const { config, database } = options;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: {
        paths: ["req.headers.cookie", "req.headers.authorization", 'res.headers["set-cookie"]'],
        remove: true,
      },
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
    trustProxy: config.trustProxy ?? false,
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    bodyLimit: 1_048_576,
  });
  collectRoutes(app);
  const views = viewEnvironment();
  const sessionPolicy: SessionPolicy = {
    idleMinutes: config.sessionIdleMinutes,
    absoluteHours: config.sessionAbsoluteHours,
  };
  const cookieOptions = {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: "lax" as const,
    path: "/",
  };
  const sessionCookie = cookieName("hearth_session", config.cookieSecure);
  const csrfCookie = cookieName("hearth_csrf", config.cookieSecure);

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // GOV.UK Frontend's fonts and images are same-origin; nothing here needs cross-origin embedding.
    crossOriginEmbedderPolicy: false,
    frameguard: { action: "deny" },
  });
  await app.register(fastifyCookie, { secret: config.sessionSecret });
  await app.register(fastifyFormbody);
  // File uploads (a tool's YAML file): parts become the body's fields, so the CSRF check below reads the
  // token as it does from any form. A route sets its own file limits (config.multipartOptions).
  await app.register(fastifyMultipart, {
    attachFieldsToBody: "keyValues",
    limits: { fileSize: 1_000_000, files: 1, fieldSize: 1_000_000, fields: 20, parts: 21 },
    // The file's content stays in the body (as a Buffer); its name is kept for pages that show it.
    async onFile(part) {
      const buffer = await part.toBuffer();
      (this as FastifyRequest).hearthUpload = { filename: part.filename, buffer };
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, {
    root: join(GOVUK_FRONTEND_DIST, "govuk"),
    prefix: "/govuk/",
    allowedPath: (path) => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(path),
    maxAge: "1d",
  });
  // GOV.UK Frontend's stylesheet asks for its fonts and images at /assets/.
  await app.register(fastifyStatic, {
    root: join(GOVUK_FRONTEND_DIST, "govuk", "assets"),
    prefix: "/assets/",
    decorateReply: false,
    maxAge: "1d",
  });
  await app.register(fastifyStatic, {
    root: join(SRC_DIR, "web", "public"),
    prefix: "/public/",
    decorateReply: false,
    maxAge: "1h",
  });

  app.decorateRequest("session", undefined);
  const memos = new WeakMap<FastifyRequest, Map<string, Promise<unknown>>>();
  app.decorateRequest("memo", function <T>(this: FastifyRequest, key: string, load: () => Promise<T>) {
    const memo = memos.get(this) ?? new Map<string, Promise<unknown>>();
    memos.set(this, memo);
    const known = memo.get(key);
    if (known) return known as Promise<T>;
    const loading = load();
    memo.set(key, loading);
    loading.catch(() => memo.delete(key));
    return loading;
  });
  app.decorateRequest("repo", undefined as unknown as Repository);

  app.addHook("onRequest", async (request) => {
    const token = request.cookies[sessionCookie];
    const session = token ? await findSession(database, sessionPolicy, token, request.ip) : undefined;
    request.session = session;
    request.repo = repositoryFor(database, session?.stage === "complete" ? session.context : undefined);
    // The pages staff open most read in one transaction: their sections' views are audited together, in
    // one append to the partnership's chain and one commit, before the page is sent (see the onSend hook
    // below). Only pages whose every read goes through request.repo: a page that also opened a
    // transaction of its own would wait for a second connection while holding the first (for ever, on
    // PGlite's one connection). Changes (POST) keep a transaction per step, as their handlers expect.
    if (
      session?.stage === "complete" &&
      request.method === "GET" &&
      ONE_TRANSACTION_PAGES.has(request.routeOptions.url ?? "")
    ) {
      request.repo.shareOneTransaction();
    }
  });
  // A request that ends without sending (its client went away) still ends its transaction.
  app.addHook("onResponse", async (request) => {
    await request.repo
      ?.finish()
      .catch((error: unknown) => request.log.error({ err: error }, "commit failed"));
  });

  // Input no route can store or look up is refused here, once for every route, before any handler runs:
  // a record id that is not a UUID is a page that does not exist, and U+0000 (which PostgreSQL text
  // cannot hold) in any field or query value is a bad request naming the field.
  app.addHook("preValidation", async (request, reply) => {
    if (malformedIdParam(request.params)) return notFound(reply);
    const field = fieldWithNul(request.body) ?? fieldWithNul(request.query);
    if (field) {
      return reply.code(400).page("web/views/error.njk", {
        title: "There is a problem with what you entered",
        message: `The field "${fieldNameAsWords(field)}" contains a character Hearth cannot store (U+0000, the null character). Nothing was saved. Go back, remove it and try again.`,
      });
    }
  });

  auditDenials(app);
  addNavigationCounts(app);
  sendMailAfterChanges(app, database, config);

  // The CSRF secret: the session's once there is one, else the pre-sign-in cookie's (if it is intact).
  const csrfSecretOf = (request: FastifyRequest): string | undefined => {
    if (request.session) return sessionCsrfSecret(config.sessionSecret, request.session.sessionId);
    const cookie = request.cookies[csrfCookie];
    const unsigned = cookie ? request.unsignCookie(cookie) : undefined;
    return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
  };

  // Every state-changing request must carry a token made from this browser's current CSRF secret.
  app.addHook("preHandler", async (request, reply) => {
    if (request.method === "GET" || request.method === "HEAD") return;
    const secret = csrfSecretOf(request);
    const token = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!secret || !csrfTokenMatches(secret, token)) return reply.code(403).page("web/views/csrf-error.njk");
  });

  // Once close() is called, each answer tells its client to close the connection: otherwise Node keeps a
  // kept-alive connection open after its request finishes, and close() waits out Fastify's 72 s
  // keep-alive timeout (longer than shutdown's grace period, so `hearth serve` exited 1 after 30 s).
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    // Registered after every hook that reads or audits through the repository (denials): the page's
    // transaction commits, with its audit rows, before anything is sent. If it cannot, this throws and
    // the caller gets the error page instead of data whose viewing was not recorded.
    await request.repo?.finish();
    // The same id as the log lines, so a user's report can be matched to them.
    reply.header("x-request-id", request.id);
    // Pages and exports (CSV, PDF, XLSX) can hold personal data: never keep them in a shared or browser
    // cache. Only GOV.UK Frontend's and Hearth's own static files, which hold none, may be cached.
    if (!isStaticAsset(request.url)) reply.header("cache-control", "no-store");
    return payload;
  });

  // A browser that is not signed in gets its own random CSRF secret with the first form it is shown.
  const newPreSessionCookie = (reply: FastifyReply): string => {
    const secret = newPreSessionCsrfSecret();
    reply.setCookie(csrfCookie, secret, { ...cookieOptions, signed: true });
    return secret;
  };

  app.decorateReply(
    "page",
    function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      const session = request.session;
      const html = views.render(template, {
        ...data,
        cspNonce: this.cspNonce.script,
        csrfToken: newCsrfToken(csrfSecretOf(request) ?? newPreSessionCookie(this)),
        currentPath: request.url.split("?")[0],
        user:
          session?.stage === "complete"
            ? { displayName: session.displayName, role: session.context.role, email: session.email }
            : undefined,
        navigation:
          session?.stage === "complete"
            ? navigationFor(session.context.role, request.url, request.navigationCounts)
            : [],
        // Pages ask the policy (src/kernel/policy.ts) whether to offer an action: {% if can("audit.read") %}.
        can: (action: Action) => session?.stage === "complete" && can(session.context.role, action),
      });
      return this.type("text/html; charset=utf-8").send(html);
    },
  );

  const context: AppContext = {
    app,
    database,
    config,
    sessionPolicy,
    setSessionCookie: (reply, token) => {
      reply.setCookie(sessionCookie, token, { ...cookieOptions, maxAge: config.sessionAbsoluteHours * 3600 });
      reply.clearCookie(csrfCookie, cookieOptions);
    },
    clearSessionCookie: (reply) => {
      reply.clearCookie(sessionCookie, cookieOptions);
      reply.clearCookie(csrfCookie, cookieOptions);
    },
    clientThrottle: new ClientThrottle(),
  };

  app.get("/favicon.ico", (_request, reply) => reply.code(204).send());
  app.get("/health", async () => ({ status: "ok" }));

  registerAuthRoutes(context);
  registerHomeRoutes(context);
  registerOrganisationRoutes(context);
  registerAccountRoutes(context);
  registerAuditRoutes(context);
  registerPeopleRoutes(context);
  registerChronologyRoutes(context);
  registerAssessmentRoutes(context);
  registerFamilyAssessmentRoutes(context);
  registerPathwayRoutes(context);
  registerPlanRoutes(context);
  registerIndicatorRoutes(context);
  registerSettingsRoutes(context);
  registerHouseholdRoutes(context);
  registerNotificationRoutes(context);
  registerEscalationRoutes(context);
  registerSignalRoutes(context);
  registerImportRoutes(context);
  registerLearningRoutes(context);
  registerSsoRoutes(context);
  registerRetentionRoutes(context);
  registerHealthRoutes(context);

  app.setNotFoundHandler((_request, reply) => notFound(reply));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.statusCode === 429) {
      return reply.code(429).page("web/views/error.njk", {
        title: "Too many attempts",
        message: "You have tried too many times in a short period. Wait a minute, then try again.",
      });
    }
    request.log.error({ err: error }, "request failed");
    return reply
      .code(error.statusCode && error.statusCode < 500 ? error.statusCode : 500)
      .page("web/views/error.njk", {
        title: "Sorry, there is a problem with Hearth",
        message: "Try again later. If the problem continues, contact your administrator.",
      });
  });

  return app;
};
