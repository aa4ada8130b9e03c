// SPDX-License-Identifier: MIT
/** Sign-in (password, then second factor), second-factor set-up, sign-out, and accepting an invite. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { repositoryFor } from "../data/repository.ts";
import { providerSignOut, unsafeAnySignInProvider } from "../sso/sso.ts";
import type { AppContext } from "../web/app.ts";
import { fieldError, noErrors, parseForm } from "../web/forms.ts";
import { isId } from "../web/request-values.ts";
import { MIN_PASSWORD_LENGTH } from "./passwords.ts";
import {
  acceptInvite,
  endSession,
  markSecondFactorVerified,
  signInWithPassword,
  unsafeFindInvite,
  verifySecondFactor,
} from "./session-store.ts";
import { acceptTotpCode, newTotpSecret, totpEnrolment } from "./totp.ts";

const ZSignInForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter your email address")
    .email("Enter an email address in the correct format, like name@example.org"),
  password: z.string().min(1, "Enter your password"),
});

const ZCodeForm = z.object({
  code: z
    .string()
    .transform((value) => value.replace(/\s+/g, ""))
    .pipe(
      z
        .string()
        .min(1, "Enter the 6-digit code from your authenticator app")
        .regex(/^\d{6}$/, "The code must be 6 digits"),
    ),
});

const ZInviteForm = z.object({
  password: z.string().min(1, "Enter a password"),
  confirmPassword: z.string().min(1, "Confirm your password"),
});

/**
 * The answer while attempts are throttled. It names no account, so it reads the same whether or not the
 * email address belongs to one.
 */
const waitMessage = (seconds: number) =>
  `You have made too many attempts. Wait ${
    seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`
  }, then try again.`;

export const registerAuthRoutes = ({
  app,
  config,
  database,
  sessionPolicy,
  setSessionCookie,
  clearSessionCookie,
  clientThrottle,
}: AppContext) => {
  const redirectForStage = (request: FastifyRequest, reply: FastifyReply) => {
    const stage = request.session?.stage;
    if (stage === "second-factor") return reply.redirect("/sign-in/second-factor");
    if (stage === "set-up-second-factor") return reply.redirect("/sign-in/set-up-second-factor");
    return reply.redirect("/");
  };

  // The sign-in page offers single sign-on (src/sso/) beside the password form when any partnership has
  // an identity provider: the person types their work e-mail address and is offered their own
  // partnership's provider (POST /sign-in/sso), never a list of every partnership's. After signing out of
  // a provider's session, the provider's own sign-out.
  const signInPage = async (reply: FastifyReply, data: Record<string, unknown>) =>
    reply.page("auth/views/sign-in.njk", {
      ...data,
      ssoOffered: await unsafeAnySignInProvider(database),
      providers: [],
    });

  app.get<{ Querystring: { signedOut?: string; accountCreated?: string; provider?: string } }>(
    "/sign-in",
    async (request, reply) => {
      if (request.session) return redirectForStage(request, reply);
      const notice = request.query.accountCreated
        ? "Your password has been created. Sign in to continue."
        : request.query.signedOut
          ? "You have been signed out."
          : undefined;
      const provider = request.query.provider;
      const providerSignOutLink =
        request.query.signedOut && isId(provider)
          ? await providerSignOut(database, config, provider)
          : undefined;
      return signInPage(reply, { errors: noErrors(), values: {}, notice, providerSignOutLink });
    },
  );

  app.post(
    "/sign-in",
    { config: { rateLimit: { max: 20, timeWindow: "1 minute" } } },
    async (request, reply) => {
      const form = parseForm(ZSignInForm, request.body);
      const values = { email: (request.body as Record<string, string>)?.email ?? "" };
      if (!form.ok) return signInPage(reply.code(400), { errors: form.errors, values });
      const outcome = await signInWithPassword(database, sessionPolicy, clientThrottle, {
        ...form.values,
        ip: request.ip,
        userAgent: request.headers["user-agent"] ?? null,
      });
      if (outcome.kind === "wrong-credentials") {
        return signInPage(reply.code(401), {
          errors: fieldError("email", "Enter a correct email address and password"),
          values,
        });
      }
      if (outcome.kind === "throttled") {
        return reply
          .code(429)
          .header("retry-after", String(outcome.retryAfterSeconds))
          .page("auth/views/sign-in.njk", {
            errors: fieldError("email", waitMessage(outcome.retryAfterSeconds)),
            values,
            providers: [],
          });
      }
      setSessionCookie(reply, outcome.sessionToken);
      if (outcome.next === "second-factor") return reply.redirect("/sign-in/second-factor", 303);
      if (outcome.next === "set-up-second-factor")
        return reply.redirect("/sign-in/set-up-second-factor", 303);
      return reply.redirect("/", 303);
    },
  );

  app.get("/sign-in/second-factor", (request, reply) => {
    if (request.session?.stage !== "second-factor") return redirectForStage(request, reply);
    return reply.page("auth/views/second-factor.njk", { errors: noErrors() });
  });

  app.post(
    "/sign-in/second-factor",
    { config: { rateLimit: { max: 20, timeWindow: "1 minute" } } },
    async (request, reply) => {
      const session = request.session;
      if (session?.stage !== "second-factor") return redirectForStage(request, reply);
      const form = parseForm(ZCodeForm, request.body);
      if (!form.ok) return reply.code(400).page("auth/views/second-factor.njk", { errors: form.errors });
      const result = await verifySecondFactor(database, session, form.values.code);
      if (result.kind === "ok") {
        setSessionCookie(reply, result.sessionToken);
        return reply.redirect("/", 303);
      }
      if (result.kind === "throttled") {
        return reply
          .code(429)
          .header("retry-after", String(result.retryAfterSeconds))
          .page("auth/views/second-factor.njk", {
            errors: fieldError("code", waitMessage(result.retryAfterSeconds)),
          });
      }
      return reply.code(401).page("auth/views/second-factor.njk", {
        errors: fieldError(
          "code",
          "The code is not correct or has already been used. Enter the current code from your app",
        ),
      });
    },
  );

  // Set-up shows a new secret each time until a code confirms it; the secret is kept on the account.
  const showSetUp = async (request: FastifyRequest, reply: FastifyReply, errors = noErrors()) => {
    const session = request.session;
    if (!session) return reply.redirect("/sign-in");
    const repo = repoForOwnAccount(request);
    const me = await repo.account.getMyAccount();
    if (!me) return reply.redirect("/sign-in");
    let secret = me.totp_secret;
    if (!secret || me.totp_confirmed_at) {
      secret = newTotpSecret();
      await repo.account.setMyPendingSecondFactor(secret);
    }
    const enrolment = await totpEnrolment(secret, me.email);
    return reply.page("auth/views/set-up-second-factor.njk", {
      errors,
      secret: secret.replace(/(.{4})/g, "$1 ").trim(),
      qrSvg: enrolment.qrSvg,
      required: session.stage === "set-up-second-factor",
    });
  };

  // During set-up the user has proved their password but not yet a second factor; they may act only on
  // their own account, so the repository is built for them here rather than in the request hook.
  const repoForOwnAccount = (request: FastifyRequest) =>
    request.session ? repositoryFor(database, request.session.context) : request.repo;

  app.get("/sign-in/set-up-second-factor", (request, reply) => {
    if (request.session?.stage !== "set-up-second-factor") return redirectForStage(request, reply);
    return showSetUp(request, reply);
  });

  app.get("/account/second-factor", (request, reply) => {
    if (request.session?.stage !== "complete") return redirectForStage(request, reply);
    return showSetUp(request, reply);
  });

  const confirmSetUp = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = request.session;
    if (!session || session.stage === "second-factor") return redirectForStage(request, reply);
    const form = parseForm(ZCodeForm, request.body);
    if (!form.ok) return showSetUp(request, reply.code(400), form.errors);
    const repo = repoForOwnAccount(request);
    const me = await repo.account.getMyAccount();
    const step =
      me?.totp_secret && !me.totp_confirmed_at
        ? acceptTotpCode(me.totp_secret, form.values.code, null)
        : null;
    if (step === null) {
      return showSetUp(
        request,
        reply.code(400),
        fieldError(
          "code",
          "The code is not correct. Check the app shows Hearth and enter its current 6-digit code",
        ),
      );
    }
    await repo.account.confirmMySecondFactor(step);
    setSessionCookie(reply, await markSecondFactorVerified(database, session));
    return reply.redirect("/?secondFactor=set-up", 303);
  };
  app.post("/sign-in/set-up-second-factor", confirmSetUp);
  app.post("/account/second-factor", confirmSetUp);

  app.post("/sign-out", async (request, reply) => {
    const provider = request.session?.ssoProviderId;
    if (request.session) await endSession(database, request.session, "signed out");
    clearSessionCookie(reply);
    return reply.redirect(`/sign-in?signedOut=1${provider ? `&provider=${provider}` : ""}`, 303);
  });

  app.get<{ Params: { token: string } }>("/invite/:token", async (request, reply) => {
    const invite = await unsafeFindInvite(database, request.params.token);
    if (!invite) return reply.code(404).page("auth/views/invite-invalid.njk");
    return reply.page("auth/views/invite.njk", {
      invite,
      errors: noErrors(),
      minLength: MIN_PASSWORD_LENGTH,
    });
  });

  app.post<{ Params: { token: string } }>(
    "/invite/:token",
    { config: { rateLimit: { max: 20, timeWindow: "1 minute" } } },
    async (request, reply) => {
      const invite = await unsafeFindInvite(database, request.params.token);
      if (!invite) return reply.code(404).page("auth/views/invite-invalid.njk");
      const form = parseForm(ZInviteForm, request.body);
      const render = (errors: ReturnType<typeof noErrors>) =>
        reply.code(400).page("auth/views/invite.njk", { invite, errors, minLength: MIN_PASSWORD_LENGTH });
      if (!form.ok) return render(form.errors);
      if (form.values.password !== form.values.confirmPassword) {
        return render(fieldError("confirmPassword", "The passwords do not match"));
      }
      const problem = await acceptInvite(database, invite, form.values.password, request.ip);
      if (problem) return render(fieldError("password", problem));
      return reply.redirect("/sign-in?accountCreated=1", 303);
    },
  );
};
