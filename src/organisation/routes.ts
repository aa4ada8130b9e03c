// SPDX-License-Identifier: MIT
/** Administration of the partnership: agencies, teams and user accounts (invite, role, deactivate, reset). */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { deniedAccess } from "../data/repository-scope.ts";
import type { AppContext } from "../web/app.ts";
import { formRoute, readForm } from "../web/form-route.ts";
import { type FormErrors, fieldError, noErrors, parseForm } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";
import { paginationFor } from "../web/pagination.ts";
import { idParam } from "../web/request-values.ts";
import { AGENCY_TYPE_CODES, ROLE_CODES } from "./codes.ts";
import { createPartnership, INVITE_LIFETIME_DAYS } from "./create-partnership.ts";

const ZName = (what: string) =>
  z.string().trim().min(1, `Enter the ${what}`).max(200, `The ${what} must be 200 characters or fewer`);

const ZAgencyForm = z.object({
  name: ZName("agency's name"),
  agencyType: z.enum(AGENCY_TYPE_CODES, { error: "Select the type of agency" }),
});

const ZTeamForm = z.object({
  agencyId: z.uuid({ error: "Select the agency this team belongs to" }),
  name: ZName("team's name"),
});

const ZInviteForm = z.object({
  displayName: ZName("person's full name"),
  email: z
    .string()
    .trim()
    .min(1, "Enter the person's work email address")
    .email("Enter an email address in the correct format, like name@example.org"),
  agencyId: z.uuid({ error: "Select the person's agency" }),
  teamId: z
    .string()
    .optional()
    .transform((value) => (value ? value : null))
    .pipe(z.uuid({ error: "Select a team, or no team" }).nullable()),
  role: z.enum(ROLE_CODES, { error: "Select the person's role" }),
});

const ZPartnershipForm = z.object({
  name: ZName("partnership's name"),
  laCode: z
    .string()
    .trim()
    .regex(/^\d{3}$/, "Enter the local authority's three-digit DfE code, like 852 for Southampton"),
  agencyName: ZName("name of the agency the first administrator belongs to"),
  adminName: ZName("first administrator's full name"),
  adminEmail: z
    .string()
    .trim()
    .min(1, "Enter the first administrator's work email address")
    .email("Enter an email address in the correct format, like name@example.org"),
});

const ZUserSearch = z.object({
  q: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

const ZReason = z
  .string()
  .trim()
  .min(1, "Enter the reason for this change")
  .max(1000, "The reason must be 1000 characters or fewer");
const ZRoleForm = z.object({ role: z.enum(ROLE_CODES, { error: "Select the new role" }), reason: ZReason });
const ZReasonForm = z.object({ reason: ZReason });

const ADMIN = requireAllowed("admin.organisation");

export const registerOrganisationRoutes = ({ app, config, database }: AppContext) => {
  // The configured address, never the request's Host header, which whoever sends the request chooses.
  const inviteUrl = (token: string) => `${config.baseUrl}/invite/${token}`;
  const agencyOptions = async (request: FastifyRequest) =>
    (await request.repo.organisation.listAgencies()).filter((a) => !a.deactivated_at);

  app.get<{ Querystring: { added?: string } }>(
    "/admin/agencies",
    { preHandler: ADMIN },
    async (request, reply) =>
      reply.page("organisation/views/agencies.njk", {
        title: "Agencies",
        agencies: await request.repo.organisation.listAgencies(),
        notice: request.query.added ? "The agency has been added." : undefined,
      }),
  );

  formRoute(app, {
    path: "/admin/agencies/new",
    postPath: "/admin/agencies",
    preHandler: ADMIN,
    view: "organisation/views/agency-new.njk",
    page: async () => ({ title: "Add an agency" }),
    initial: () => ({}),
    read: (values) => readForm(ZAgencyForm, values),
    save: (request, agency) => request.repo.organisation.createAgency(agency),
    refusedField: "name",
    next: () => "/admin/agencies?added=1",
  });

  app.get<{ Querystring: { added?: string } }>(
    "/admin/teams",
    { preHandler: ADMIN },
    async (request, reply) =>
      reply.page("organisation/views/teams.njk", {
        title: "Teams",
        teams: await request.repo.organisation.listTeams(),
        notice: request.query.added ? "The team has been added." : undefined,
      }),
  );

  formRoute(app, {
    path: "/admin/teams/new",
    postPath: "/admin/teams",
    preHandler: ADMIN,
    view: "organisation/views/team-new.njk",
    page: async (request) => ({ title: "Add a team", agencies: await agencyOptions(request) }),
    initial: () => ({}),
    read: (values) => readForm(ZTeamForm, values),
    save: (request, team) => request.repo.organisation.createTeam(team),
    refusedField: "name",
    next: () => "/admin/teams?added=1",
  });

  // Another partnership, empty, for a council starting out: the same function as `hearth partnership
  // create`. The administrator who makes it gets no account in it (only the invited first administrator
  // can sign in), and their own partnership's audit chain records that they made it.
  formRoute(app, {
    path: "/admin/partnerships/new",
    postPath: "/admin/partnerships",
    preHandler: ADMIN,
    view: "organisation/views/partnership-new.njk",
    page: async () => ({ title: "Create a partnership" }),
    initial: () => ({ agencyName: "Children's Social Care" }),
    read: (body) => readForm(ZPartnershipForm, body),
    save: async (request, form) => {
      const ctx = request.repo.context;
      if (!ctx) return deniedAccess("You cannot create a partnership");
      const { partnershipId, userId, role, agencyId, ip } = ctx;
      const created = await createPartnership(database, form, undefined, {
        partnershipId,
        userId,
        role,
        agencyId,
        ip,
      });
      // The command line's message names its option (`--la-code ...`): the form names the field.
      return created.ok ? created : { ...created, message: created.message.replace(/^--[a-z-]+ /, "This ") };
    },
    refusedField: "name",
    next: (created, form) => ({
      view: "organisation/views/partnership-created.njk",
      data: {
        title: "Partnership created",
        inviteUrl: inviteUrl(created.inviteToken),
        lifetimeDays: INVITE_LIFETIME_DAYS,
        laName: created.laName,
        values: form,
      },
    }),
  });

  // Paged and searchable: a partnership has hundreds of accounts, and one page renders 50 of them.
  app.get("/admin/users", { preHandler: ADMIN }, async (request, reply) => {
    const parsed = ZUserSearch.safeParse(request.query);
    const { q, page } = parsed.success ? parsed.data : { q: undefined, page: undefined };
    const result = await request.repo.organisation.listUsersPage({ search: q, page });
    const hrefFor = (n: number) =>
      `/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), page: String(n) })}`;
    return reply.page("organisation/views/users.njk", {
      title: "Users",
      q: q ?? "",
      ...result,
      pagination: paginationFor(result.page, result.pageCount, hrefFor),
    });
  });

  formRoute(app, {
    path: "/admin/users/new",
    postPath: "/admin/users",
    preHandler: ADMIN,
    view: "organisation/views/user-invite.njk",
    page: async (request) => ({
      title: "Invite a user",
      agencies: await agencyOptions(request),
      teams: (await request.repo.organisation.listTeams()).filter((t) => !t.deactivated_at),
    }),
    initial: () => ({}),
    read: (body) => readForm(ZInviteForm, body),
    save: (request, form) => request.repo.organisation.inviteUser(form),
    refusedField: "email",
    next: (invited, form) => ({
      view: "organisation/views/user-invited.njk",
      data: {
        title: "Invite created",
        inviteUrl: inviteUrl(invited.inviteToken),
        userId: invited.userId,
        values: form,
      },
    }),
  });

  const userPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    errors = noErrors(),
    notice?: string,
  ) => {
    const user = await request.repo.organisation.getUser(userId);
    if (!user) return notFound(reply);
    return reply.page("organisation/views/user.njk", {
      title: user.display_name,
      account: user,
      errors,
      notice,
      isMe: userId === request.repo.context?.userId,
    });
  };

  app.get<{ Params: { userId: string }; Querystring: { done?: string } }>(
    "/admin/users/:userId",
    { preHandler: ADMIN },
    async (request, reply) => {
      const userId = idParam(request, "userId");
      if (!userId) return notFound(reply);
      const notices: Record<string, string> = {
        role: "The role has been changed.",
        deactivate: "The account has been deactivated and its sessions ended.",
        "reset-second-factor":
          "The second factor has been reset. The user will set up a new one when they next sign in.",
      };
      return userPage(request, reply, userId, noErrors(), notices[request.query.done ?? ""]);
    },
  );

  const userAction = <S extends z.ZodType>(
    path: string,
    schema: S,
    act: (
      request: FastifyRequest,
      userId: string,
      values: z.infer<S>,
    ) => Promise<{ ok: true } | { ok: false; field?: string; message: string }>,
  ) =>
    app.post<{ Params: { userId: string } }>(
      `/admin/users/:userId/${path}`,
      { preHandler: ADMIN },
      async (request, reply) => {
        const userId = idParam(request, "userId");
        if (!userId) return notFound(reply);
        const form = parseForm(schema, request.body);
        if (!form.ok) return userPage(request, reply.code(400), userId, prefix(form.errors, path));
        const result = await act(request, userId, form.values);
        if (!result.ok)
          return userPage(
            request,
            reply.code(400),
            userId,
            prefix(fieldError(result.field ?? "reason", result.message), path),
          );
        return reply.redirect(`/admin/users/${userId}?done=${path}`, 303);
      },
    );

  userAction("role", ZRoleForm, (request, userId, values) =>
    request.repo.organisation.changeUserRole(userId, values.role, values.reason),
  );
  userAction("deactivate", ZReasonForm, (request, userId, values) =>
    request.repo.organisation.deactivateUser(userId, values.reason),
  );
  userAction("reset-second-factor", ZReasonForm, (request, userId, values) =>
    request.repo.organisation.resetSecondFactor(userId, values.reason),
  );
};

// One user page holds three forms; their fields are prefixed with the form's name so ids stay unique.
const prefix = (errors: FormErrors, form: string): FormErrors => ({
  fields: Object.fromEntries(
    Object.entries(errors.fields).map(([field, message]) => [`${form}-${field}`, message]),
  ),
  list: errors.list.map((item) => ({ text: item.text, href: `#${form}-${item.href.slice(1)}` })),
});
