// SPDX-License-Identifier: MIT
/**
 * Single sign-on pages: starting a sign-in at a provider, the provider's reply, and the administrators'
 * page of the partnership's providers.
 */
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { ROLES, SSO_MAPPABLE_ROLE_CODES } from "../organisation/codes.ts";
import type { AppContext } from "../web/app.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";
import { formBody, idParam, idParams, textField } from "../web/request-values.ts";
import { encryptSecret } from "./secrets.ts";
import { callbackUrl, finishSsoSignIn, startSsoSignIn, unsafeSignInProvidersFor } from "./sso.ts";

const ADMIN = requireAllowed("admin.sign-in-providers");

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const ZProviderForm = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, "Enter the name people will see on the sign-in button")
    .max(200, "The name must be 200 characters or fewer"),
  issuer: z
    .string()
    .trim()
    .min(1, "Enter the issuer address")
    .pipe(
      z.url({
        protocol: /^https?$/,
        error: "Enter the issuer as an address, like https://login.microsoftonline.com/TENANT-ID/v2.0",
      }),
    ),
  clientId: z.string().trim().min(1, "Enter the client (application) ID").max(500),
  clientSecret: z.string().trim().min(1, "Enter the client secret").max(2000),
  allowedEmailDomains: z
    .string()
    .transform((value) =>
      value
        .split(/[\s,]+/)
        .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
        .filter((d) => d !== ""),
    )
    .pipe(
      z
        .array(z.string().regex(DOMAIN, "Enter each e-mail domain like council.gov.uk, separated by commas"))
        .min(1, "Enter at least one e-mail domain, like council.gov.uk"),
    ),
  acceptProviderMfa: z
    .enum(["yes", "no"], { error: "Select whether the provider's multi-factor sign-in is accepted" })
    .transform((value) => value === "yes"),
});

const ZFindProviderForm = z.object({
  ssoEmail: z
    .string({ error: "Enter your work email address" })
    .trim()
    .min(1, "Enter your work email address")
    .max(320, "The email address must be 320 characters or fewer")
    .pipe(z.email({ error: "Enter an email address in the correct format, like name@council.gov.uk" })),
});

const ZDeactivateForm = z.object({
  reason: z.string().trim().min(1, "Enter the reason for switching this provider off").max(1000),
});

const ZGroupMappingForm = z.object({
  groupClaim: z
    .string({ error: "Enter the group's id as the provider sends it" })
    .trim()
    .min(1, "Enter the group's id as the provider sends it")
    .max(200, "The group's id must be 200 characters or fewer"),
  teamId: z.uuid({ error: "Choose the team the group's members join" }),
  role: z.enum(SSO_MAPPABLE_ROLE_CODES, {
    error: "Choose a role other than administrator: administrators are only ever invited",
  }),
});

export const registerSsoRoutes = ({ app, database, config, sessionPolicy, setSessionCookie }: AppContext) => {
  const pendingCookie = config.cookieSecure ? "__Host-hearth_sso" : "hearth_sso";
  const pendingCookieOptions = {
    httpOnly: true,
    secure: config.cookieSecure,
    // The provider sends the browser back with a top-level GET, which carries a Lax cookie.
    sameSite: "lax" as const,
    path: "/",
  };

  // Signed out, the person types their work e-mail address and is offered their partnership's providers
  // for its domain as links (a form's answer may not redirect to another site under the
  // Content-Security-Policy's form-action 'self'); none says so beside the password form.
  app.post(
    "/sign-in/sso",
    { config: { rateLimit: { max: 20, timeWindow: "1 minute" } } },
    async (request, reply) => {
      if (request.session) return reply.redirect("/sign-in", 303);
      const values = {
        ssoEmail: textField(formBody(request), "ssoEmail"),
      };
      const page = (code: number, data: Record<string, unknown>) =>
        reply.code(code).page("auth/views/sign-in.njk", {
          errors: noErrors(),
          values,
          ssoOffered: true,
          providers: [],
          ...data,
        });
      const form = parseForm(ZFindProviderForm, request.body);
      if (!form.ok) return page(400, { errors: form.errors });
      const providers = await unsafeSignInProvidersFor(database, form.values.ssoEmail);
      if (providers.length > 0) return page(200, { providers });
      return page(400, {
        errors: fieldError(
          "ssoEmail",
          "Hearth has no organisation sign-in for this email address. Sign in with your Hearth password, or ask your Hearth administrator",
        ),
      });
    },
  );

  app.get<{ Params: { providerId: string } }>(
    "/sign-in/sso/:providerId",
    { config: { rateLimit: { max: 30, timeWindow: "1 minute" } } },
    async (request, reply) => {
      const outcome = await startSsoSignIn(database, config, request.params.providerId, request.log);
      if (outcome.kind === "unknown-provider") return notFound(reply);
      if (outcome.kind === "provider-unavailable") {
        return reply.code(503).page("sso/views/refused.njk", {
          message:
            "Hearth could not reach your organisation's sign-in service. Try again in a few minutes, or sign in with your Hearth password.",
        });
      }
      reply.setCookie(pendingCookie, outcome.pendingToken, { ...pendingCookieOptions, maxAge: 600 });
      return reply.redirect(outcome.url, 303);
    },
  );

  app.get(
    "/sign-in/sso/callback",
    { config: { rateLimit: { max: 30, timeWindow: "1 minute" } } },
    async (request, reply) => {
      const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
      const outcome = await finishSsoSignIn(
        database,
        config,
        sessionPolicy,
        {
          pendingToken: request.cookies[pendingCookie],
          callback: new URL(`${callbackUrl(config)}${query}`),
          ip: request.ip,
          userAgent: request.headers["user-agent"] ?? null,
        },
        request.log,
      );
      reply.clearCookie(pendingCookie, pendingCookieOptions);
      if (outcome.kind === "refused") {
        return reply.code(outcome.code === "not-invited" ? 403 : 400).page("sso/views/refused.njk", {
          message: outcome.message,
        });
      }
      setSessionCookie(reply, outcome.sessionToken);
      return reply.redirect("/sign-in", 303);
    },
  );

  const providersPage = async (
    reply: FastifyReply,
    extra: {
      notice?: string;
      errors?: FormErrors;
      deactivating?: string;
      mapping?: string;
      values?: Record<string, unknown>;
    } = {},
  ) => {
    const teams = await reply.request.repo.organisation.listTeams();
    return reply.page("sso/views/providers.njk", {
      providers: await reply.request.repo.sso.listProviders(),
      callbackUrl: callbackUrl(config),
      errors: extra.errors ?? noErrors(),
      teamItems: [
        { value: "", text: "Choose a team" },
        ...teams
          .filter((t) => !t.deactivated_at)
          .map((t) => ({ value: t.team_id, text: `${t.agency_name}: ${t.name}` })),
      ],
      roleItems: [
        { value: "", text: "Choose a role" },
        ...SSO_MAPPABLE_ROLE_CODES.map((code) => ({ value: code, text: ROLES[code] })),
      ],
      values: extra.values ?? {},
      ...extra,
    });
  };

  app.get<{ Querystring: { done?: string } }>(
    "/admin/sign-in-providers",
    { preHandler: ADMIN },
    (request, reply) =>
      providersPage(reply, {
        ...(request.query.done === "added" ? { notice: "The sign-in provider has been added." } : {}),
        ...(request.query.done === "deactivated"
          ? { notice: "The sign-in provider has been switched off." }
          : {}),
        ...(request.query.done === "mapped"
          ? { notice: "The group has been mapped to the team and role." }
          : {}),
        ...(request.query.done === "unmapped" ? { notice: "The group mapping has been switched off." } : {}),
      }),
  );

  const providerForm = (reply: FastifyReply, errors: FormErrors, values: Record<string, unknown>) =>
    reply.page("sso/views/provider-new.njk", { errors, values, callbackUrl: callbackUrl(config) });

  app.get("/admin/sign-in-providers/new", { preHandler: ADMIN }, (_request, reply) =>
    providerForm(reply, noErrors(), { acceptProviderMfa: "no" }),
  );

  app.post("/admin/sign-in-providers", { preHandler: ADMIN }, async (request, reply) => {
    // A field left out of the form is an empty answer, so its own message names it.
    const body = {
      ...Object.fromEntries(
        ["displayName", "issuer", "clientId", "clientSecret", "allowedEmailDomains"].map((k) => [k, ""]),
      ),
      ...formBody(request),
    };
    // The secret is never shown back, even when the form has a problem.
    const values = { ...body, clientSecret: "" };
    const form = parseForm(ZProviderForm, body);
    if (!form.ok) return providerForm(reply.code(400), form.errors, values);
    const { clientSecret, ...rest } = form.values;
    const result = await request.repo.sso.addProvider({
      ...rest,
      clientSecretEncrypted: encryptSecret(config.sessionSecret, clientSecret),
    });
    if (!result.ok)
      return providerForm(reply.code(400), fieldError(result.field ?? "displayName", result.message), values);
    return reply.redirect("/admin/sign-in-providers?done=added", 303);
  });

  app.post<{ Params: { providerId: string } }>(
    "/admin/sign-in-providers/:providerId/deactivate",
    { preHandler: ADMIN },
    async (request, reply) => {
      const providerId = idParam(request, "providerId");
      if (!providerId) return notFound(reply);
      const form = parseForm(ZDeactivateForm, request.body);
      if (!form.ok) return providersPage(reply.code(400), { errors: form.errors, deactivating: providerId });
      const result = await request.repo.sso.deactivateProvider(providerId, form.values.reason);
      if (!result.ok) return notFound(reply);
      return reply.redirect("/admin/sign-in-providers?done=deactivated", 303);
    },
  );

  app.post<{ Params: { providerId: string } }>(
    "/admin/sign-in-providers/:providerId/group-mappings",
    { preHandler: ADMIN },
    async (request, reply) => {
      const providerId = idParam(request, "providerId");
      if (!providerId) return reply.callNotFound();
      const body = { groupClaim: "", teamId: "", role: "", ...formBody(request) };
      const form = parseForm(ZGroupMappingForm, body);
      if (!form.ok)
        return providersPage(reply.code(400), { errors: form.errors, mapping: providerId, values: body });
      const result = await request.repo.sso.addGroupMapping(providerId, form.values);
      if (!result.ok)
        return providersPage(reply.code(400), {
          errors: fieldError(result.field ?? "groupClaim", result.message),
          mapping: providerId,
          values: body,
        });
      return reply.redirect("/admin/sign-in-providers?done=mapped", 303);
    },
  );

  app.post<{ Params: { providerId: string; mappingId: string } }>(
    "/admin/sign-in-providers/:providerId/group-mappings/:mappingId/deactivate",
    { preHandler: ADMIN },
    async (request, reply) => {
      const params = idParams(request, "providerId", "mappingId");
      if (!params) return reply.callNotFound();
      const result = await request.repo.sso.deactivateGroupMapping(params.providerId, params.mappingId);
      if (!result.ok) return notFound(reply);
      return reply.redirect("/admin/sign-in-providers?done=unmapped", 303);
    },
  );
};
