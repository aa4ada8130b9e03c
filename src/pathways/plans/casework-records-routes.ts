// SPDX-License-Identifier: MIT
/**
 * Casework records (assessment, strategy discussion, conference): starting one from its census event, its
 * page (any version), and changing it (a new version).
 */
import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../web/app.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { addError, noErrors } from "../../web/forms.ts";
import { idParams } from "../../web/request-values.ts";
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

const eventAt = (request: FastifyRequest): EventAt | undefined =>
  idParams(request, "personId", "episodeId", "eventId");

/** The record's two texts (and, when revising, the reason), each problem on its field. */
const readRecordText = (values: Body, revising: boolean) => {
  const text = {
    narrative: str(values, "narrative"),
    childExperience: str(values, "childExperience"),
    changeReason: revising ? str(values, "changeReason") : null,
  };
  const errors = noErrors();
  for (const problem of checkRecordText(text)) addError(errors, problem.field, problem.message);
  return { text, errors };
};

export const registerCaseworkRecordRoutes = ({ app }: AppContext): void => {
  formRoute(app, {
    path: "/people/:personId/pathway/episodes/:episodeId/casework/:eventId",
    preHandler: RECORDERS,
    view: "pathways/plans/views/record-form.njk",
    page: async (request) => {
      const at = eventAt(request);
      const context =
        at && (await request.repo.plans.recordFormContext(at.personId, at.episodeId, at.eventId));
      if (!at || !context) return undefined;
      return {
        title: context.label,
        ...context,
        episodeId: at.episodeId,
        action: `/people/${at.personId}/pathway/episodes/${at.episodeId}/casework/${at.eventId}`,
      };
    },
    initial: () => ({}),
    read: async (values, request) => {
      const at = eventAt(request);
      const context =
        at && (await request.repo.plans.recordFormContext(at.personId, at.episodeId, at.eventId));
      if (!at || !context) return undefined;
      const { text, errors } = readRecordText(values, false);
      return readingOf(errors, {
        personId: at.personId,
        record: {
          recordType: context.recordType,
          episodeId: at.episodeId,
          eventId: at.eventId,
          narrative: text.narrative,
          childExperience: text.childExperience,
        },
      });
    },
    save: (request, { personId, record }) => request.repo.plans.createRecord(personId, record),
    refusedField: "narrative",
    next: (saved, { personId }) => `/people/${personId}/records/${saved.recordId}?notice=created`,
  });

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

  formRoute(app, {
    path: "/people/:personId/records/:caseRecordId/edit",
    preHandler: RECORDERS,
    view: "pathways/plans/views/record-form.njk",
    page: async (request) => {
      const record = await recordOf(request);
      if (!record) return undefined;
      if (!record.mayWrite) return "forbidden";
      return {
        title: `Change the ${record.label.toLowerCase()}`,
        child: record.child,
        event: { event_type: record.event.event_type, occurred_on: record.event.occurred_on },
        label: record.label,
        episodeId: record.record.episode_id,
        revising: true,
        action: `/people/${record.record.person_id}/records/${record.record.record_id}/edit`,
        currentVersion: record.version,
      };
    },
    initial: (page) => ({
      narrative: page.currentVersion.narrative,
      childExperience: page.currentVersion.child_experience,
    }),
    read: (values, request) => {
      const ids = idParams(request, "personId", "caseRecordId");
      if (!ids) return undefined;
      const { text, errors } = readRecordText(values, true);
      return readingOf(errors, {
        ...ids,
        change: {
          narrative: text.narrative,
          childExperience: text.childExperience,
          changeReason: text.changeReason ?? "",
        },
      });
    },
    save: (request, { caseRecordId, change }) => request.repo.plans.reviseRecord(caseRecordId, change),
    refusedField: "narrative",
    next: (_saved, { personId, caseRecordId }) =>
      `/people/${personId}/records/${caseRecordId}?notice=changed`,
  });
};
