// SPDX-License-Identifier: MIT
/**
 * Social care episodes: an episode's page with its status, alerts and the events that may come next, and
 * the form recording one coded event (its fields decided by the event type, ../event-types.ts).
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../web/app.ts";
import { dateInputValues } from "../../web/dates.ts";
import { type FormReading, formRoute, readingOf } from "../../web/form-route.ts";
import { addError, noErrors, optionalId, optionalText, parseForm } from "../../web/forms.ts";
import { type FormBody, idParams, textParam } from "../../web/request-values.ts";
import { ALERT_TYPES } from "../alerts.ts";
import {
  ABUSE_CATEGORIES,
  ABUSE_CATEGORY_CODES,
  ASSESSMENT_FACTORS,
  CLOSURE_REASONS,
  CSC_EVENT_TYPE_CODES,
  CSC_EVENT_TYPES,
  type CscEventType,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
} from "../codes.ts";
import { EPISODE_STATUSES, type Episode, episodeStatus } from "../episodes.ts";
import type { NewCscEvent } from "../event-rules.ts";
import { EVENT_TYPES, nextEventTypes } from "../event-types.ts";
import { CASE_ROLES, dateField, RECORDERS, today } from "../route-kit.ts";

/** Fields of a social care event form; which ones a type uses is decided by the type. */
const ZEventForm = z.object({
  subjectId: optionalId(),
  code: optionalText(10),
  codes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
  count: z
    .string()
    .trim()
    .optional()
    .refine(
      (value) => !value || /^\d{1,2}$/.test(value),
      "Enter the number of previous plans as a whole number",
    )
    .transform((value) => (value ? Number(value) : null)),
  childSeen: z
    .enum(["yes", "no", ""])
    .optional()
    .transform((value) => (value === "yes" ? true : value === "no" ? false : null)),
  seenAlone: z
    .enum(["yes", "no", ""])
    .optional()
    .transform((value) => (value === "yes" ? true : value === "no" ? false : null)),
  workerUserId: optionalId(),
  note: optionalText(4000),
});

/** The open things in an episode an event of this type can belong to, for the form's radios. */
const subjectsFor = (episode: Episode, kind: string | undefined) => {
  const date = (iso: string) => iso;
  const list: { value: string; text: string }[] = [];
  if (kind === "assessment")
    for (const a of episode.assessments.filter((x) => x.authorised === null))
      list.push({ value: a.id, text: `Assessment started ${date(a.start)}` });
  if (kind === "s47")
    for (const s of episode.section47s.filter((x) => x.icpc === null && !x.notRequired))
      list.push({
        value: s.id,
        text: `Section 47 enquiry from ${date(s.start)} (conference target ${date(s.target)})`,
      });
  if (kind === "cp-plan" || kind === "plan")
    for (const p of episode.cpPlans.filter((x) => x.end === null))
      list.push({ value: p.id, text: `Child protection plan from ${date(p.start)}` });
  if (kind === "cin-plan" || kind === "plan")
    for (const p of episode.cinPlans.filter((x) => x.end === null))
      list.push({ value: p.id, text: `Child in need plan from ${date(p.start)}` });
  return list;
};

/**
 * Reads a social care event form for its type: the fields the type uses, each required where the type
 * needs it, every problem at once.
 */
const readEventForm = (type: CscEventType, episodeId: string, body: FormBody): FormReading<NewCscEvent> => {
  const form = parseForm(ZEventForm, body);
  const errors = form.ok ? noErrors() : form.errors;
  const occurredOn = dateField(body, "occurredOn", "date", errors);
  if (!form.ok) return { ok: false, errors };
  const shape = EVENT_TYPES[type].form;
  const values = form.values;
  const need = (field: string, ok: boolean, message: string) => {
    if (!ok) addError(errors, field, message);
  };
  if (shape.subject) need("subjectId", values.subjectId !== null, "Select which one this belongs to");
  if (shape.code && shape.code !== "category-optional")
    need("code", values.code !== null, "Select a code from the list");
  if (shape.code === "category" || shape.code === "category-optional")
    need(
      "code",
      values.code === null || (ABUSE_CATEGORY_CODES as readonly string[]).includes(values.code),
      "Select a category of abuse",
    );
  if (shape.count) need("count", values.count !== null, "Enter the number of previous plans, or 0");
  if (shape.seen) need("childSeen", values.childSeen !== null, "Say whether the child was seen");
  if (shape.alone && values.childSeen)
    need("seenAlone", values.seenAlone !== null, "Say whether the child was seen alone");
  if (shape.worker) need("workerUserId", values.workerUserId !== null, "Select the social worker");
  return readingOf(errors, {
    eventType: type,
    occurredOn,
    episodeId,
    subjectId: shape.subject ? values.subjectId : null,
    code: shape.code ? values.code : null,
    codes: shape.factors ? values.codes : [],
    count: shape.count ? values.count : null,
    childSeen: shape.seen ? values.childSeen : null,
    seenAlone: shape.alone ? (values.childSeen ? values.seenAlone : false) : null,
    workerUserId: shape.worker ? values.workerUserId : null,
    note: values.note,
  });
};

export const registerSocialCareRoutes = ({ app }: AppContext): void => {
  const episodeOf = async (request: FastifyRequest) => {
    const ids = idParams(request, "personId", "episodeId");
    if (!ids) return undefined;
    const { personId, episodeId } = ids;
    const pathway = await request.repo.pathways.childPathway(personId);
    const episode = pathway?.episodes.find((e) => e.episodeId === episodeId);
    return pathway && episode ? { pathway, episode, personId } : undefined;
  };

  app.get(
    "/people/:personId/pathway/episodes/:episodeId",
    { preHandler: CASE_ROLES },
    async (request, reply) => {
      const found = await episodeOf(request);
      if (!found) return reply.callNotFound();
      const { pathway, episode } = found;
      const now = today();
      return reply.page("pathways/views/episode.njk", {
        title: "Social care episode",
        child: pathway.child,
        e: episode,
        status: EPISODE_STATUSES[episodeStatus(episode, now)],
        worker: episode.workerUserId ? pathway.workerNames[episode.workerUserId] : null,
        alerts: pathway.alerts.filter((a) => a.href.endsWith(`/episodes/${episode.episodeId}`)),
        next: pathway.mayRecordSocialCare ? nextEventTypes(episode, now) : [],
        canStepDown: pathway.mayRecordSocialCare && episode.closureDate !== null,
        casework: await request.repo.plans.episodeCasework(found.personId, episode.episodeId),
        notice: episodeNotice((request.query as Record<string, unknown>).notice),
        today: now,
        CSC_EVENT_TYPES,
        REFERRAL_SOURCES,
        PRIMARY_NEEDS,
        CLOSURE_REASONS,
        ABUSE_CATEGORIES,
        ASSESSMENT_FACTORS,
        ALERT_TYPES,
      });
    },
  );

  const eventType = (request: FastifyRequest): CscEventType | undefined => {
    const parsed = z.enum(CSC_EVENT_TYPE_CODES).safeParse(textParam(request, "eventType"));
    return parsed.success && parsed.data !== "referral" ? parsed.data : undefined;
  };

  formRoute(app, {
    path: "/people/:personId/pathway/episodes/:episodeId/record/:eventType",
    preHandler: RECORDERS,
    view: "pathways/views/event-form.njk",
    page: async (request) => {
      const type = eventType(request);
      const found = type && (await episodeOf(request));
      if (!type || !found?.pathway.mayRecordSocialCare) return undefined;
      const shape = EVENT_TYPES[type].form;
      return {
        title: CSC_EVENT_TYPES[type],
        child: found.pathway.child,
        e: found.episode,
        type,
        shape,
        subjects: subjectsFor(found.episode, shape.subject),
        workers: shape.worker ? await request.repo.pathways.listSocialWorkers() : [],
        PRIMARY_NEEDS,
        CLOSURE_REASONS,
        ABUSE_CATEGORIES,
        ASSESSMENT_FACTORS,
      };
    },
    initial: () => dateInputValues("occurredOn", today()),
    read: (body, request) => {
      const type = eventType(request);
      const at = idParams(request, "personId", "episodeId");
      if (!type || !at) return undefined;
      const event = readEventForm(type, at.episodeId, body);
      return event.ok ? { ok: true, value: { personId: at.personId, event: event.value } } : event;
    },
    save: (request, { personId, event }) => request.repo.pathways.recordEvent(personId, event),
    refusedField: "occurredOn",
    next: (_saved, { personId, event }) =>
      `/people/${personId}/pathway/episodes/${event.episodeId}?notice=${event.eventType}`,
  });
};

/**
 * The banner after recording a social care event. The query string carries only the event's code, mapped
 * here to fixed text, so a crafted link cannot put words of its own in a success banner.
 * @returns The message, or undefined for anything but a known event type code.
 */
export const episodeNotice = (code: unknown): string | undefined =>
  typeof code === "string" && Object.hasOwn(CSC_EVENT_TYPES, code)
    ? `Recorded: ${CSC_EVENT_TYPES[code as CscEventType]}`
    : undefined;
