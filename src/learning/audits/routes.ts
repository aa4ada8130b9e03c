// SPDX-License-Identifier: MIT
/**
 * Case audit pages (/learning/audits): the rounds list, planning a round (safeguarding leads), a round's
 * page, an auditor's return for one child, moderation and actions (leads), the caller's own actions, and
 * the results by question, agency and round. Routes only read forms and call the repository; every rule
 * is the repository's.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { todayInEngland } from "../../kernel/calendar.ts";
import { can } from "../../kernel/policy.ts";
import type { AppContext } from "../../web/app.ts";
import { readDateInput } from "../../web/dates.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { addError, type FormErrors, fieldError, noErrors, showForm } from "../../web/forms.ts";
import { forbidden, notFound, requireAllowed, requireSignedIn } from "../../web/guards.ts";
import { byPathId, type FormBody, formBody, idParam, idParams, textField } from "../../web/request-values.ts";
import {
  AUDIT_GRADE_CODES,
  AUDIT_GRADES,
  AUDIT_THEME_CODES,
  AUDIT_THEMES,
  type AuditGrade,
  type AuditTheme,
  SAMPLE_METHOD_CODES,
  SAMPLE_METHODS,
  SAMPLE_RULE_CODES,
  SAMPLE_RULES,
  type SampleMethod,
  type SampleRule,
} from "../codes.ts";

const SIGNED_IN = requireSignedIn();
const LEADS = requireAllowed("case-audits.lead");
const ROUND_ROLES = requireAllowed("case-audits.rounds");
const RESULT_ROLES = requireAllowed("case-audits.results");

const COMMON = { GRADES: AUDIT_GRADES, THEMES: AUDIT_THEMES, SAMPLE_METHODS, SAMPLE_RULES };

export const registerAuditRoutes = ({ app }: AppContext): void => {
  app.get("/learning/audits", { preHandler: ROUND_ROLES }, async (request, reply) => {
    const rounds = await request.repo.audits.listRounds();
    return reply.page("learning/audits/views/rounds.njk", {
      title: "Case audits",
      rounds,
      isLead: request.session !== undefined && can(request.session.context.role, "case-audits.lead"),
      ...COMMON,
    });
  });

  formRoute(app, {
    path: "/learning/audits/new",
    preHandler: LEADS,
    view: "learning/audits/views/plan.njk",
    missing: "forbidden",
    page: async (request) => {
      const agencies = await request.repo.audits.planningOptions();
      return (
        agencies && {
          title: "Plan a case audit round",
          agencies: agencies.filter((a) => a.auditors.length > 0),
          forms: request.repo.audits.forms(),
          THEME_CODES: AUDIT_THEME_CODES,
          ...COMMON,
        }
      );
    },
    initial: () => ({
      theme: "neglect",
      sampleMethod: "random",
      sampleRule: "neglect-entries",
      sampleSize: "6",
    }),
    read: async (body, request) => {
      const errors = noErrors();
      const theme = textField(body, "theme");
      if (!(AUDIT_THEME_CODES as string[]).includes(theme))
        addError(errors, "theme", "Choose the audit's theme");
      const method = textField(body, "sampleMethod");
      if (!(SAMPLE_METHOD_CODES as string[]).includes(method))
        addError(errors, "sampleMethod", "Choose how the children are chosen");
      const rule = textField(body, "sampleRule");
      if (!(SAMPLE_RULE_CODES as string[]).includes(rule))
        addError(errors, "sampleRule", "Choose which children the sample is drawn from");
      const sizeText = textField(body, "sampleSize").trim();
      if (!/^\d{1,3}$/.test(sizeText))
        addError(errors, "sampleSize", "Enter the number of children, from 1 to 100");
      const dates: Record<string, string> = {};
      for (const [field, label] of [
        ["startsOn", "date the round starts"],
        ["returnsDueOn", "date returns are due"],
        ["endsOn", "date the round ends"],
      ] as const) {
        const read = readDateInput(body, field, label, { required: true });
        if (!read.ok) addError(errors, field, read.message);
        else dates[field] = read.value ?? "";
      }
      const agencies = (await request.repo.audits.planningOptions()) ?? [];
      const participants = agencies
        .map((a) => ({ agencyId: a.agencyId, auditorUserId: textField(body, `auditor-${a.agencyId}`) }))
        .filter((p) => p.auditorUserId !== "");
      return readingOf(errors, {
        title: textField(body, "title"),
        theme: theme as AuditTheme,
        formSlug: textField(body, "formSlug"),
        sampleMethod: method as SampleMethod,
        sampleRule: rule as SampleRule,
        seed: textField(body, "seed"),
        sampleSize: Number(sizeText),
        startsOn: dates.startsOn ?? "",
        returnsDueOn: dates.returnsDueOn ?? "",
        endsOn: dates.endsOn ?? "",
        participants,
      });
    },
    save: (request, round) => request.repo.audits.planRound(round),
    refusedField: "title",
    next: (saved) => `/learning/audits/${saved.roundId}?planned=1`,
  });

  app.get("/learning/audits/results", { preHandler: RESULT_ROLES }, async (request, reply) => {
    const results = await request.repo.audits.results();
    if (!results) return forbidden(reply);
    return reply.page("learning/audits/views/results.njk", {
      title: "Case audit results",
      results,
      GRADE_CODES: AUDIT_GRADE_CODES,
      ...COMMON,
    });
  });

  app.get("/learning/audits/:roundId", { preHandler: ROUND_ROLES }, async (request, reply) => {
    const round = await byPathId(request, "roundId", (id) => request.repo.audits.getRound(id));
    if (!round) return notFound(reply);
    const query = request.query as Record<string, string>;
    return reply.page("learning/audits/views/round.njk", {
      title: round.round.title,
      ...round,
      me: request.session?.context,
      planned: query.planned === "1",
      today: todayInEngland(),
      ...COMMON,
    });
  });

  formRoute(app, {
    path: "/learning/audits/:roundId/children/:personId/return",
    preHandler: ROUND_ROLES,
    view: "learning/audits/views/return.njk",
    missing: "record",
    page: async (request) => {
      const ids = idParams(request, "roundId", "personId");
      const form = ids && (await request.repo.audits.returnForm(ids.roundId, ids.personId));
      return (
        ids &&
        form && {
          ...form,
          roundTitle: form.title,
          title: `Audit return: ${form.child.given_names} ${form.child.family_name}`,
          roundId: ids.roundId,
          ...COMMON,
        }
      );
    },
    initial: (form) => ({
      overallGrade: form.latest?.overall_grade,
      summary: form.latest?.summary,
      ...Object.fromEntries(
        form.answers.flatMap((a) => [
          [`grade-${a.question_id}`, a.grade],
          [`evidence-${a.question_id}`, a.evidence],
        ]),
      ),
    }),
    // The repository checks each answer against the round's form, naming the question it refuses.
    read: (body, request) => {
      const ids = idParams(request, "roundId", "personId");
      if (!ids) return undefined;
      const answers: Record<string, { grade: AuditGrade; evidence: string }> = {};
      for (const key of Object.keys(body)) {
        const match = /^grade-([a-z0-9-]+)$/.exec(key);
        if (match?.[1])
          answers[match[1]] = {
            grade: textField(body, key) as AuditGrade,
            evidence: textField(body, `evidence-${match[1]}`),
          };
      }
      for (const key of Object.keys(body)) {
        const match = /^evidence-([a-z0-9-]+)$/.exec(key);
        if (match?.[1] && !answers[match[1]])
          answers[match[1]] = { grade: "" as AuditGrade, evidence: textField(body, key) };
      }
      return readingOf(noErrors(), {
        ...ids,
        answers,
        overallGrade: textField(body, "overallGrade") as AuditGrade,
        summary: textField(body, "summary"),
      });
    },
    save: (request, { roundId, personId, ...returned }) =>
      request.repo.audits.submitReturn(roundId, personId, returned),
    refusedField: "summary",
    next: (_saved, { roundId }) => `/learning/audits/${roundId}?returned=1`,
  });

  const moderatePage = formRoute(app, {
    path: "/learning/audits/:roundId/children/:personId/moderate",
    preHandler: LEADS,
    view: "learning/audits/views/moderate.njk",
    page: async (request) => {
      const ids = idParams(request, "roundId", "personId");
      const round = ids && (await request.repo.audits.getRound(ids.roundId));
      const child = round?.children.find((c) => c.person_id === ids?.personId);
      if (round?.part !== "lead" || !child) return undefined;
      const users = await request.repo.organisation.listUsers();
      return {
        title: `Moderate: ${child.name ?? "child"}`,
        ...round,
        child,
        returnsForChild: round.returns.filter((r) => r.person_id === child.person_id),
        moderation: round.moderations.find((m) => m.person_id === child.person_id),
        actionsForChild: round.actions.filter((a) => a.person_id === child.person_id),
        owners: users.filter((u) => !u.deactivated_at),
        ...COMMON,
      };
    },
    initial: () => ({}),
    read: (body, request) => {
      const ids = idParams(request, "roundId", "personId");
      if (!ids) return undefined;
      return readingOf(noErrors(), {
        ...ids,
        agreedGrade: textField(body, "agreedGrade") as AuditGrade,
        learningPoints: textField(body, "learningPoints"),
      });
    },
    save: (request, { roundId, personId, ...moderation }) =>
      request.repo.audits.moderate(roundId, personId, moderation),
    refusedField: "agreedGrade",
    next: (_saved, { roundId, personId }) =>
      `/learning/audits/${roundId}/children/${personId}/moderate?saved=1`,
  });

  app.post(
    "/learning/audits/:roundId/children/:personId/actions",
    { preHandler: LEADS },
    async (request, reply) => {
      const ids = idParams(request, "roundId", "personId");
      if (!ids) return notFound(reply);
      const { roundId, personId } = ids;
      const body = formBody(request);
      const due = readDateInput(body, "dueOn", "due date", { required: true });
      if (!due.ok) return moderatePage.show(request, reply, fieldError("dueOn", due.message), body);
      const result = await request.repo.audits.addAction(roundId, personId, {
        description: textField(body, "description"),
        ownerUserId: textField(body, "ownerUserId"),
        dueOn: due.value ?? "",
      });
      if (!result.ok) {
        if (result.denied) return forbidden(reply);
        return moderatePage.show(
          request,
          reply,
          fieldError(result.field ?? "description", result.message),
          body,
        );
      }
      return reply.redirect(`/learning/audits/${roundId}/children/${personId}/moderate?action=1`, 303);
    },
  );

  const showActions = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors,
    values: FormBody,
  ) => {
    const actions = await request.repo.audits.myActions();
    return showForm(reply, "learning/audits/views/actions.njk", errors, {
      title: "Audit actions",
      actions,
      values,
      today: todayInEngland(),
    });
  };

  app.get("/learning/actions", { preHandler: SIGNED_IN }, (request, reply) =>
    showActions(request, reply, noErrors(), {}),
  );

  app.post("/learning/actions/:actionId/complete", { preHandler: SIGNED_IN }, async (request, reply) => {
    const actionId = idParam(request, "actionId");
    if (!actionId) return notFound(reply);
    const body = formBody(request);
    const field = `completedOn-${actionId}`;
    const when = readDateInput(body, field, "date it was done", { required: true, future: "refused" });
    // The repository checks access before the input, so a refusal does not depend on what was sent.
    const result = await request.repo.audits.completeAction(actionId, {
      completedOn: when.ok ? (when.value ?? "") : "",
      note: textField(body, `note-${actionId}`),
    });
    if (!result.ok) {
      if (result.denied) return forbidden(reply);
      if (!when.ok) return showActions(request, reply, fieldError(field, when.message), body);
      const name = result.field === "note" ? `note-${actionId}` : field;
      return showActions(request, reply, fieldError(name, result.message), body);
    }
    return reply.redirect("/learning/actions?done=1", 303);
  });
};
