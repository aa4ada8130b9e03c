// SPDX-License-Identifier: MIT
/**
 * Authorisation: sending a plan or an assessment record to a manager, and the manager's page where they
 * authorise it or return it with the reason.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { fieldError, noErrors } from "../../web/forms.ts";
import { byPathId, idParam } from "../../web/request-values.ts";
import { AUTHORISATION_DECISIONS } from "./codes.ts";
import {
  CASE_ROLES,
  id,
  MANAGERS,
  noticeOf,
  planOf,
  RECORDERS,
  recordOf,
  str,
} from "./plan-route-helpers.ts";

/** What is sent for authorisation, as the form names it and links back to it. */
type Submission = {
  subject: { type: "plan" | "assessment"; id: string; label: string; back: string; action: string };
  child: { given_names: string; family_name: string };
};

/** The plan, or the assessment record, the URL names (other casework records are never authorised). */
const submissionOf = async (
  request: FastifyRequest,
  type: Submission["subject"]["type"],
): Promise<Submission | undefined> => {
  if (type === "plan") {
    const plan = await planOf(request);
    if (!plan) return undefined;
    const back = `/people/${plan.plan.person_id}/plans/${plan.plan.plan_id}`;
    const subject = { type, id: plan.plan.plan_id, label: plan.label, back, action: `${back}/submit` };
    return { subject, child: plan.child };
  }
  const record = await recordOf(request);
  if (!record?.mayAuthorise) return undefined;
  const back = `/people/${record.record.person_id}/records/${record.record.record_id}`;
  const subject = { type, id: record.record.record_id, label: record.label, back, action: `${back}/submit` };
  return { subject, child: record.child };
};

export const registerAuthorisationRoutes = ({ app }: AppContext): void => {
  const submitted = [
    ["/people/:personId/plans/:planId/submit", "plan"],
    ["/people/:personId/records/:caseRecordId/submit", "assessment"],
  ] as const;
  for (const [path, type] of submitted)
    formRoute(app, {
      path,
      preHandler: RECORDERS,
      view: "pathways/plans/views/submit-form.njk",
      page: async (request) => {
        const found = await submissionOf(request, type);
        return (
          found && {
            title: "Send for authorisation",
            ...found,
            managers: await request.repo.plans.listManagers(),
          }
        );
      },
      initial: () => ({}),
      read: async (values, request) => {
        const found = await submissionOf(request, type);
        if (!found) return undefined;
        const managerUserId = id(str(values, "managerUserId"));
        if (!managerUserId) return { ok: false, errors: fieldError("managerUserId", "Select the manager") };
        return readingOf(noErrors(), { subject: found.subject, managerUserId });
      },
      save: (request, { subject, managerUserId }) =>
        request.repo.plans.submitForAuthorisation({
          subjectType: type,
          subjectId: subject.id,
          managerUserId,
        }),
      refusedField: "managerUserId",
      next: (_saved, { subject }) => `${subject.back}?notice=submitted`,
    });

  // The manager's page: whoever may read the child sees the request, a manager decides.
  formRoute(app, {
    path: "/authorisations/:authorisationId",
    preHandler: { show: CASE_ROLES, save: MANAGERS },
    view: "pathways/plans/views/authorisation.njk",
    page: async (request) => {
      const found = await byPathId(request, "authorisationId", (id) =>
        request.repo.plans.getAuthorisation(id),
      );
      return found && { title: "Authorise", a: found, notice: noticeOf(request), AUTHORISATION_DECISIONS };
    },
    initial: () => ({}),
    read: (values, request) => {
      const authorisationId = idParam(request, "authorisationId");
      if (!authorisationId) return undefined;
      const decision = z.enum(["authorised", "returned"]).safeParse(values.decision);
      const reason = str(values, "reason");
      if (!decision.success)
        return { ok: false, errors: fieldError("decision", "Select whether you authorise it") };
      if (reason.length > 4000)
        return { ok: false, errors: fieldError("reason", "The reason is 4000 characters at most") };
      return readingOf(noErrors(), { authorisationId, decision: decision.data, reason });
    },
    save: (request, { authorisationId, decision, reason }) =>
      request.repo.plans.decideAuthorisation(authorisationId, decision, reason),
    refusedField: "decision",
    next: (_saved, { authorisationId }) => `/authorisations/${authorisationId}?notice=decided`,
  });
};
