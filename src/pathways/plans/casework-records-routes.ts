// SPDX-License-Identifier: MIT
/**
 * Casework records (assessment, strategy discussion, conference): starting one from its census event, its
 * page (any version), and changing it (a new version).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../web/app.ts";
import { addError, type FormErrors, fieldError, noErrors, refusalStatus, showForm } from "../../web/forms.ts";
import { forbidden } from "../../web/guards.ts";
import { formBody, idParam } from "../../web/request-values.ts";
import { AUTHORISATION_DECISIONS } from "./codes.ts";
import {
  type Body,
  CASE_ROLES,
  noticeOf,
  RECORDERS,
  recordOf,
  str,
  versionOf,
} from "./plan-route-helpers.ts";
import { checkRecordText } from "./plan-rules.ts";

/** The census event a new record is about, as the URL names it. */
type EventAt = { personId: string; episodeId: string; eventId: string };

const eventAt = (request: FastifyRequest): EventAt | undefined => {
  const personId = idParam(request, "personId");
  const episodeId = idParam(request, "episodeId");
  const eventId = idParam(request, "eventId");
  return personId && episodeId && eventId ? { personId, episodeId, eventId } : undefined;
};

const recordForm = async (
  request: FastifyRequest,
  reply: FastifyReply,
  { personId, episodeId, eventId }: EventAt,
  errors: FormErrors,
  values: Body,
  status?: number,
) => {
  const context = await request.repo.plans.recordFormContext(personId, episodeId, eventId);
  if (!context) return reply.callNotFound();
  return showForm(
    reply,
    "pathways/plans/views/record-form.njk",
    errors,
    {
      title: context.label,
      ...context,
      episodeId,
      action: `/people/${personId}/pathway/episodes/${episodeId}/casework/${eventId}`,
      values,
    },
    status,
  );
};

const reviseRecordForm = async (
  request: FastifyRequest,
  reply: FastifyReply,
  errors: FormErrors,
  values: Body | null,
  status?: number,
) => {
  const record = await recordOf(request);
  if (!record) return reply.callNotFound();
  if (!record.mayWrite) return forbidden(reply);
  return showForm(
    reply,
    "pathways/plans/views/record-form.njk",
    errors,
    {
      title: `Change the ${record.label.toLowerCase()}`,
      child: record.child,
      event: { event_type: record.event.event_type, occurred_on: record.event.occurred_on },
      label: record.label,
      episodeId: record.record.episode_id,
      revising: true,
      action: `/people/${record.record.person_id}/records/${record.record.record_id}/edit`,
      values: values ?? {
        narrative: record.version.narrative,
        childExperience: record.version.child_experience,
      },
    },
    status,
  );
};

export const registerCaseworkRecordRoutes = ({ app }: AppContext): void => {
  app.get(
    "/people/:personId/pathway/episodes/:episodeId/casework/:eventId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const at = eventAt(request);
      if (!at) return reply.callNotFound();
      return recordForm(request, reply, at, noErrors(), {});
    },
  );

  app.post(
    "/people/:personId/pathway/episodes/:episodeId/casework/:eventId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const at = eventAt(request);
      if (!at) return reply.callNotFound();
      const { personId, episodeId, eventId } = at;
      const values = formBody(request);
      const errors = noErrors();
      const narrative = str(values, "narrative");
      const childExperience = str(values, "childExperience");
      for (const problem of checkRecordText({ narrative, childExperience, changeReason: null }))
        addError(errors, problem.field, problem.message);
      const context = await request.repo.plans.recordFormContext(personId, episodeId, eventId);
      if (!context) return reply.callNotFound();
      if (errors.list.length) return recordForm(request, reply, at, errors, values);
      const result = await request.repo.plans.createRecord(personId, {
        recordType: context.recordType,
        episodeId,
        eventId,
        narrative,
        childExperience,
      });
      if (!result.ok)
        return recordForm(
          request,
          reply,
          at,
          fieldError(result.field ?? "narrative", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`/people/${personId}/records/${result.value.recordId}?notice=created`, 303);
    },
  );

  app.get("/people/:personId/records/:caseRecordId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const record = await recordOf(request, versionOf(request));
    if (!record) return reply.callNotFound();
    const ctx = request.repo.context;
    return reply.page("pathways/plans/views/record.njk", {
      title: `${record.label}: ${record.child.given_names} ${record.child.family_name}`,
      r: record,
      isAuthor: ctx?.userId === record.versions[0]?.recorded_by,
      notice: noticeOf(request),
      AUTHORISATION_DECISIONS,
    });
  });

  app.get("/people/:personId/records/:caseRecordId/edit", { preHandler: RECORDERS }, async (request, reply) =>
    reviseRecordForm(request, reply, noErrors(), null),
  );

  app.post(
    "/people/:personId/records/:caseRecordId/edit",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const personId = idParam(request, "personId");
      const recordId = idParam(request, "caseRecordId");
      if (!personId || !recordId) return reply.callNotFound();
      const values = formBody(request);
      const errors = noErrors();
      for (const problem of checkRecordText({
        narrative: str(values, "narrative"),
        childExperience: str(values, "childExperience"),
        changeReason: str(values, "changeReason"),
      }))
        addError(errors, problem.field, problem.message);
      if (errors.list.length) return reviseRecordForm(request, reply, errors, values);
      const result = await request.repo.plans.reviseRecord(recordId, {
        narrative: str(values, "narrative"),
        childExperience: str(values, "childExperience"),
        changeReason: str(values, "changeReason"),
      });
      if (!result.ok)
        return reviseRecordForm(
          request,
          reply,
          fieldError(result.field ?? "narrative", result.message),
          values,
          refusalStatus(result),
        );
      return reply.redirect(`/people/${personId}/records/${recordId}?notice=changed`, 303);
    },
  );
};
