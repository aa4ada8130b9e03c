// SPDX-License-Identifier: MIT
/**
 * The pages that change a draft assessment besides its sections: details and visits, the family's view
 * in plain words, the child's voice, and targets. Each is one form that works without JavaScript.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { dateInputValues, readDateInput } from "../web/dates.ts";
import { addError, type FormErrors, noErrors, optionalText, parseForm, showForm } from "../web/forms.ts";
import { forbidden } from "../web/guards.ts";
import { formBody, textParam } from "../web/request-values.ts";
import { type AssessmentView, loadAssessmentView, VIEW_GLOBALS } from "./assessment-pages.ts";
import type { ChildVoice, FamilyView } from "./assessment-records.ts";
import {
  ASSESSMENT_MODE_CODES,
  CHILD_VOICE_METHOD_CODES,
  CHILD_VOICE_METHODS,
  FAMILY_AGREEMENT,
  FAMILY_AGREEMENT_CODES,
} from "./codes.ts";
import { pointLabel } from "./engine.ts";
import { RECORDERS, refusalErrors } from "./route-helpers.ts";

const ZChildVoice = z.object({
  method: z.enum(CHILD_VOICE_METHOD_CODES, { error: "Select how the child's voice was heard" }),
  words: optionalText(4000),
  scaling: z
    .union([z.literal(""), z.coerce.number().int().min(0).max(10)], { error: "Select a number from 0 to 10" })
    .optional()
    .transform((value) => (value === "" || value === undefined ? null : value)),
});

const ZTarget = z.object({
  nodeId: z.string().min(1, "Select the item this target is for"),
  targetValue: z.coerce.number({ error: "Select the grade aimed for" }),
  whatWillChange: z
    .string()
    .trim()
    .min(1, "Say what will change")
    .max(2000, "Must be 2000 characters or fewer"),
  who: optionalText(200),
});

const ZVisit = z.object({
  announced: z.enum(["yes", "no"], { error: "Select whether the visit was announced" }),
  childSeen: z.enum(["yes", "no"], { error: "Select whether the child was seen" }),
  note: optionalText(1000),
});

export const registerDraftRoutes = (app: FastifyInstance): void => {
  // Details: mode, date, observation window and visits.
  const detailsPage = (
    reply: FastifyReply,
    view: AssessmentView,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) =>
    showForm(reply, "assessments/views/details.njk", errors, {
      title: `About this assessment: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      values: {
        mode: view.assessment.mode,
        ...dateInputValues("assessedOn", view.assessment.assessed_on),
        ...dateInputValues("observationFrom", view.assessment.observation_from),
        ...dateInputValues("observationTo", view.assessment.observation_to),
        ...values,
      },
      ...VIEW_GLOBALS,
    });
  app.get("/assessments/:assessmentId/details", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    return view ? detailsPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/details", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const errors = noErrors();
    const mode = z.enum(ASSESSMENT_MODE_CODES).safeParse(body.mode);
    if (!mode.success) addError(errors, "mode", "Select how the assessment is done");
    const assessedOn = readDateInput(body, "assessedOn", "date of the assessment", {
      required: true,
      future: "refused",
    });
    if (!assessedOn.ok) addError(errors, "assessedOn", assessedOn.message);
    const from = readDateInput(body, "observationFrom", "start of the observation period", {
      required: false,
    });
    if (!from.ok) addError(errors, "observationFrom", from.message);
    const to = readDateInput(body, "observationTo", "end of the observation period", { required: false });
    if (!to.ok) addError(errors, "observationTo", to.message);
    if (errors.list.length || !mode.success || !assessedOn.ok || !assessedOn.value || !from.ok || !to.ok)
      return detailsPage(reply, view, errors, body);
    const saved = await request.repo.assessments.saveDetails(view.assessment.assessment_id, {
      mode: mode.data,
      assessedOn: assessedOn.value,
      observationFrom: from.value,
      observationTo: to.value,
    });
    if (!saved.ok && saved.denied) return forbidden(reply);
    if (!saved.ok) return detailsPage(reply, view, refusalErrors(saved.field, saved.message, "mode"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });
  app.post("/assessments/:assessmentId/visits", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const parsed = parseForm(ZVisit, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const visitedOn = readDateInput(body, "visitedOn", "date of the visit", {
      required: true,
      future: "refused",
    });
    if (!visitedOn.ok) addError(errors, "visitedOn", visitedOn.message);
    if (!parsed.ok || !visitedOn.ok || !visitedOn.value) return detailsPage(reply, view, errors, body);
    const added = await request.repo.assessments.addVisit(view.assessment.assessment_id, {
      visitedOn: visitedOn.value,
      announced: parsed.values.announced === "yes",
      childSeen: parsed.values.childSeen === "yes",
      note: parsed.values.note,
    });
    if (!added.ok && added.denied) return forbidden(reply);
    if (!added.ok)
      return detailsPage(reply, view, refusalErrors(added.field, added.message, "visitedOn"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}/details#visits`, 303);
  });
  app.post(
    "/assessments/:assessmentId/visits/:visitId/remove",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadAssessmentView(request, reply);
      if (!view) return reply;
      const visitId = textParam(request, "visitId");
      const removed = await request.repo.assessments.removeVisit(view.assessment.assessment_id, visitId);
      if (!removed.ok && removed.denied) return forbidden(reply);
      return reply.redirect(`/assessments/${view.assessment.assessment_id}/details#visits`, 303);
    },
  );

  // The family's view, in plain words.
  const familyPage = (
    reply: FastifyReply,
    view: AssessmentView,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
  ) => {
    const saved = view.familyView;
    const domains = view.results.domains.map((d) => {
      const domain = view.tool.sections.flatMap((s) => s.domains).find((x) => x.id === d.domainId);
      const point = d.scale.points.find((pt) => pt.value === d.value);
      const agreement = values
        ? String(values[`agreement-${d.domainId}`] ?? "")
        : (saved?.domains[d.domainId]?.agreement ?? "");
      return {
        id: d.domainId,
        title: domain?.plain ?? d.title,
        grade: point ? point.plain : "Not graded yet",
        colour: point?.colour,
        agreementItems: FAMILY_AGREEMENT_CODES.map((code) => ({
          value: code,
          text: FAMILY_AGREEMENT[code],
          checked: agreement === code,
        })),
        comment: values ? values[`comment-${d.domainId}`] : (saved?.domains[d.domainId]?.comment ?? ""),
      };
    });
    const scaling = values
      ? String(values.ownScaling ?? "")
      : saved?.ownScaling === null || saved?.ownScaling === undefined
        ? ""
        : String(saved.ownScaling);
    return showForm(reply, "assessments/views/family.njk", errors, {
      title: `Your family's view: ${view.assessment.given_names}`,
      ...view,
      domains,
      scalingItems: Array.from({ length: 11 }, (_, n) => ({
        value: String(n),
        text: String(n),
        checked: scaling === String(n),
      })),
      values: values ?? {
        comments: saved?.comments ?? "",
        ...dateInputValues("seenScoresOn", saved?.seenScoresOn),
      },
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/family", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    return view ? familyPage(reply, view, noErrors(), undefined) : reply;
  });
  app.post("/assessments/:assessmentId/family", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const errors = noErrors();
    const domains: FamilyView["domains"] = {};
    for (const d of view.results.domains) {
      const agreement = String(body[`agreement-${d.domainId}`] ?? "");
      const comment = String(body[`comment-${d.domainId}`] ?? "").trim();
      if (comment.length > 2000)
        addError(errors, `comment-${d.domainId}`, "Comments must be 2000 characters or fewer");
      domains[d.domainId] = {
        agreement: (FAMILY_AGREEMENT_CODES as readonly string[]).includes(agreement)
          ? (agreement as FamilyView["domains"][string]["agreement"])
          : null,
        comment: comment || null,
      };
    }
    const comments = String(body.comments ?? "").trim();
    if (comments.length > 4000) addError(errors, "comments", "Comments must be 4000 characters or fewer");
    const scalingRaw = String(body.ownScaling ?? "");
    const ownScaling = scalingRaw === "" ? null : Number(scalingRaw);
    if (ownScaling !== null && !(Number.isInteger(ownScaling) && ownScaling >= 0 && ownScaling <= 10))
      addError(errors, "ownScaling", "Select a number from 0 to 10");
    const seen = readDateInput(body, "seenScoresOn", "date the family saw the scores", {
      required: false,
      future: "refused",
    });
    if (!seen.ok) addError(errors, "seenScoresOn", seen.message);
    if (errors.list.length || !seen.ok) return familyPage(reply, view, errors, body);
    const saved = await request.repo.assessments.saveFamilyView(view.assessment.assessment_id, {
      domains,
      comments: comments || null,
      ownScaling,
      seenScoresOn: seen.value,
    });
    if (!saved.ok && saved.denied) return forbidden(reply);
    if (!saved.ok)
      return familyPage(reply, view, refusalErrors(saved.field, saved.message, "comments"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });

  // The child's voice.
  const childVoicePage = (
    reply: FastifyReply,
    view: AssessmentView,
    errors: FormErrors,
    values: Record<string, unknown> | undefined,
  ) => {
    const saved = view.childVoice;
    const current = values ?? {
      method: saved?.method ?? "",
      words: saved?.words ?? "",
      scaling: saved?.scaling === null || saved?.scaling === undefined ? "" : String(saved.scaling),
      ...dateInputValues("recordedOn", saved?.recordedOn),
    };
    return showForm(reply, "assessments/views/child-voice.njk", errors, {
      title: `The child's voice: ${view.assessment.given_names}`,
      ...view,
      values: current,
      methodItems: CHILD_VOICE_METHOD_CODES.map((code) => ({
        value: code,
        text: CHILD_VOICE_METHODS[code],
        checked: current.method === code,
      })),
      scalingItems: Array.from({ length: 11 }, (_, n) => ({
        value: String(n),
        text: String(n),
        checked: String(current.scaling) === String(n),
      })),
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/child", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    return view ? childVoicePage(reply, view, noErrors(), undefined) : reply;
  });
  app.post("/assessments/:assessmentId/child", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const parsed = parseForm(ZChildVoice, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const recordedOn = readDateInput(body, "recordedOn", "date the child's voice was heard", {
      required: false,
      future: "refused",
    });
    if (!recordedOn.ok) addError(errors, "recordedOn", recordedOn.message);
    if (!parsed.ok || !recordedOn.ok) return childVoicePage(reply, view, errors, body);
    const voice: ChildVoice = { ...parsed.values, recordedOn: recordedOn.value };
    const saved = await request.repo.assessments.saveChildVoice(view.assessment.assessment_id, voice);
    if (!saved.ok && saved.denied) return forbidden(reply);
    if (!saved.ok)
      return childVoicePage(reply, view, refusalErrors(saved.field, saved.message, "method"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}?saved=1`, 303);
  });

  // Targets per item, with review dates.
  const targetsPage = (
    reply: FastifyReply,
    view: AssessmentView,
    errors: FormErrors,
    values: Record<string, unknown>,
  ) => {
    const items = view.results.items.map((i) => ({
      value: i.itemId,
      text: `${i.title} (now ${pointLabel(i.scale, i.answer?.value)})`,
      selected: values.nodeId === i.itemId,
    }));
    const firstScale = view.results.items[0]?.scale;
    const itemTitle = (id: string) => view.results.items.find((i) => i.itemId === id)?.title ?? id;
    const scaleFor = (id: string) => view.results.items.find((i) => i.itemId === id)?.scale;
    return showForm(reply, "assessments/views/targets.njk", errors, {
      title: `Targets: ${view.assessment.given_names} ${view.assessment.family_name}`,
      ...view,
      values,
      itemOptions: [{ value: "", text: "Select an item" }, ...items],
      gradeOptions: [
        { value: "", text: "Select a grade" },
        ...(firstScale?.points ?? []).map((pt) => ({
          value: String(pt.value),
          text: pt.label,
          selected: values.targetValue === String(pt.value),
        })),
      ],
      targetRows: view.targets.map((t) => ({
        ...t,
        itemTitle: itemTitle(t.node_id),
        now: pointLabel(
          scaleFor(t.node_id) ?? firstScale ?? ({ points: [] } as never),
          view.results.items.find((i) => i.itemId === t.node_id)?.answer?.value,
        ),
        target: scaleFor(t.node_id)
          ? pointLabel(scaleFor(t.node_id) as never, t.target_value)
          : String(t.target_value),
      })),
      ...VIEW_GLOBALS,
    });
  };
  app.get("/assessments/:assessmentId/targets", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    return view ? targetsPage(reply, view, noErrors(), {}) : reply;
  });
  app.post("/assessments/:assessmentId/targets", { preHandler: RECORDERS }, async (request, reply) => {
    const view = await loadAssessmentView(request, reply);
    if (!view) return reply;
    const body = formBody(request);
    const parsed = parseForm(ZTarget, body);
    const errors = parsed.ok ? noErrors() : parsed.errors;
    const reviewOn = readDateInput(body, "reviewOn", "review date", { required: true });
    if (!reviewOn.ok) addError(errors, "reviewOn", reviewOn.message);
    if (!parsed.ok || !reviewOn.ok || !reviewOn.value) return targetsPage(reply, view, errors, body);
    const added = await request.repo.assessments.addTarget(view.assessment.assessment_id, {
      ...parsed.values,
      reviewOn: reviewOn.value,
    });
    if (!added.ok && added.denied) return forbidden(reply);
    if (!added.ok) return targetsPage(reply, view, refusalErrors(added.field, added.message, "nodeId"), body);
    return reply.redirect(`/assessments/${view.assessment.assessment_id}/targets`, 303);
  });
  app.post(
    "/assessments/:assessmentId/targets/:targetId/remove",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadAssessmentView(request, reply);
      if (!view) return reply;
      const removed = await request.repo.assessments.removeTarget(
        view.assessment.assessment_id,
        textParam(request, "targetId"),
      );
      if (!removed.ok && removed.denied) return forbidden(reply);
      return reply.redirect(`/assessments/${view.assessment.assessment_id}/targets`, 303);
    },
  );
};
