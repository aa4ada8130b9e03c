// SPDX-License-Identifier: MIT
/**
 * Family assessment pages: starting one for a child and the brothers and sisters the caller may open,
 * the family's page (the shared areas answered once, then each child's own areas and voice, then the
 * family's words), and the check page where the practitioner submits and the manager reads every child's
 * areas with grade, evidence and change, then returns the family assessment with a reason or signs it
 * off (family-sign-off-routes.ts). Every page works without JavaScript; each form on the family's page
 * saves on its own.
 */
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { dateInputValues } from "../web/dates.ts";
import { formRoute } from "../web/form-route.ts";
import { addError, asList, fieldError, noErrors } from "../web/forms.ts";
import { forbidden, notFound } from "../web/guards.ts";
import { byPathId, formBody, idParam } from "../web/request-values.ts";
import type { ChildVoice } from "./assessment-records.ts";
import { ASSESSMENT_MODES, CHILD_VOICE_METHOD_CODES, TOOL_TIERS } from "./codes.ts";
import { familyPage, loadFamilyView } from "./family-page.ts";
import { registerFamilySignOffRoutes } from "./family-sign-off-routes.ts";
import { CASE_ROLES, RECORDERS, readAnswerForm, readStartForm } from "./route-helpers.ts";

export const registerFamilyAssessmentRoutes = ({ app }: AppContext): void => {
  // Starting a family assessment from a child's assessments.
  formRoute(app, {
    path: "/people/:personId/family-assessments/new",
    postPath: "/people/:personId/family-assessments",
    preHandler: RECORDERS,
    view: "assessments/views/family-start.njk",
    page: async (request, sent = {}) => {
      const options = await byPathId(request, "personId", (id) => request.repo.assessments.familyOptions(id));
      if (!options) return undefined;
      const chosen = asList(sent.siblingIds);
      return {
        title: `Assess ${options.person.given_names} with their brothers and sisters`,
        ...options,
        siblingItems: options.siblings.map((s) => ({
          value: s.person_id,
          text: `${s.given_names} ${s.family_name}`,
          hint: { text: s.date_of_birth ? `Born ${s.date_of_birth}` : "Date of birth not known" },
          checked: chosen.includes(s.person_id),
        })),
        toolItems: options.tools.map((t) => ({
          value: t.tool_id,
          text: t.name,
          hint: {
            text: `${TOOL_TIERS[t.tier as keyof typeof TOOL_TIERS] ?? t.tier}${t.has_shared ? ". The parents' or carers' areas are answered once for the family" : ". Every area is answered for each child"}`,
          },
          checked: sent.toolId === t.tool_id,
        })),
        ASSESSMENT_MODES,
      };
    },
    initial: () => dateInputValues("assessedOn", todayInEngland()),
    read: (body, request) => {
      const siblingIds = asList(body.siblingIds);
      const noSiblings = siblingIds.length
        ? undefined
        : "Select at least one brother or sister to assess with this child";
      const start = readStartForm(body, request, noSiblings && fieldError("siblingIds", noSiblings));
      return start?.ok ? { ok: true, value: { ...start.value, siblingIds } } : start;
    },
    save: (request, { personId, ...start }) =>
      request.repo.assessments.startFamilyAssessment(personId, start),
    refusedField: "siblingIds",
    next: (started) => `/family-assessments/${started.familyAssessmentId}`,
  });

  app.get("/family-assessments/:familyAssessmentId", { preHandler: CASE_ROLES }, async (request, reply) => {
    const view = await loadFamilyView(request, reply);
    if (!view) return reply;
    const query = request.query as Record<string, string>;
    const notice = query.saved
      ? "Your changes have been saved"
      : query.submitted
        ? "The family assessment has been submitted for sign-off"
        : query.returned
          ? "The family assessment has been returned to the practitioner, who has been told your reason"
          : query.signed
            ? "The family assessment has been signed off: each child's is added to their chronology"
            : undefined;
    return familyPage(reply, view, noErrors(), undefined, notice);
  });

  app.post(
    "/family-assessments/:familyAssessmentId/shared",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamilyView(request, reply);
      if (!view) return reply;
      const body = formBody(request);
      const errors = noErrors();
      const domains = view.tool.sections.flatMap((s) => s.domains.filter((d) => d.shared));
      const input = readAnswerForm(domains, body, "f-", errors);
      if (errors.list.length) return familyPage(reply, view, errors, { form: "shared", values: body });
      const saved = await request.repo.assessments.saveFamilyShared(view.family.family_assessment_id, input);
      if (!saved.ok && saved.denied) return forbidden(reply);
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, saved.field ? `f-${saved.field}` : "shared", saved.message);
        return familyPage(reply, view, refusal, { form: "shared", values: body });
      }
      return reply.redirect(`/family-assessments/${view.family.family_assessment_id}?saved=1#shared`, 303);
    },
  );

  app.post(
    "/family-assessments/:familyAssessmentId/children/:assessmentId",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const assessmentId = idParam(request, "assessmentId");
      const view = await loadFamilyView(request, reply);
      if (!view || !assessmentId) return view ? notFound(reply) : reply;
      const index = view.children.findIndex((c) => c.assessment.assessment_id === assessmentId);
      const child = view.children[index];
      if (!child) return notFound(reply);
      const prefix = `c${index + 1}-`;
      const body = formBody(request);
      const errors = noErrors();
      const domains = view.tool.sections.flatMap((s) => s.domains.filter((d) => !d.shared));
      const input = readAnswerForm(domains, body, prefix, errors);
      const method = String(body.method ?? "");
      const words = String(body.words ?? "").trim();
      const scalingRaw = String(body.scaling ?? "");
      let voice: ChildVoice | null = null;
      if (words.length > 4000) addError(errors, `${prefix}words`, "Must be 4000 characters or fewer");
      if (method || words || scalingRaw) {
        if (!(CHILD_VOICE_METHOD_CODES as readonly string[]).includes(method))
          addError(errors, `${prefix}method`, `Select how ${child.assessment.given_names}'s voice was heard`);
        const scaling = scalingRaw === "" ? null : Number(scalingRaw);
        if (scaling !== null && !(Number.isInteger(scaling) && scaling >= 0 && scaling <= 10))
          addError(errors, `${prefix}scaling`, "Select a number from 0 to 10");
        voice = {
          method: method as ChildVoice["method"],
          words: words || null,
          scaling,
          recordedOn: child.childVoice?.recordedOn ?? null,
        };
      }
      if (errors.list.length) return familyPage(reply, view, errors, { form: assessmentId, values: body });
      const saved = await request.repo.assessments.saveFamilyChild(
        view.family.family_assessment_id,
        assessmentId,
        { ...input, voice },
      );
      if (!saved.ok && saved.denied) return forbidden(reply);
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, saved.field ? `${prefix}${saved.field}` : `child-${index + 1}`, saved.message);
        return familyPage(reply, view, refusal, { form: assessmentId, values: body });
      }
      return reply.redirect(
        `/family-assessments/${view.family.family_assessment_id}?saved=1#child-${index + 1}`,
        303,
      );
    },
  );

  app.post(
    "/family-assessments/:familyAssessmentId/words",
    { preHandler: RECORDERS },
    async (request, reply) => {
      const view = await loadFamilyView(request, reply);
      if (!view) return reply;
      const body = formBody(request);
      const errors = noErrors();
      const comments = String(body.comments ?? "").trim();
      if (comments.length > 4000) addError(errors, "comments", "Comments must be 4000 characters or fewer");
      const scalingRaw = String(body.ownScaling ?? "");
      const ownScaling = scalingRaw === "" ? null : Number(scalingRaw);
      if (ownScaling !== null && !(Number.isInteger(ownScaling) && ownScaling >= 0 && ownScaling <= 10))
        addError(errors, "ownScaling", "Select a number from 0 to 10");
      if (errors.list.length) return familyPage(reply, view, errors, { form: "words", values: body });
      const saved = await request.repo.assessments.saveFamilyWords(view.family.family_assessment_id, {
        domains: {},
        comments: comments || null,
        ownScaling,
        seenScoresOn: view.family.mode === "with-family" ? todayInEngland() : null,
      });
      if (!saved.ok && saved.denied) return forbidden(reply);
      if (!saved.ok) {
        const refusal = noErrors();
        addError(refusal, "comments", saved.message);
        return familyPage(reply, view, refusal, { form: "words", values: body });
      }
      return reply.redirect(`/family-assessments/${view.family.family_assessment_id}?saved=1#words`, 303);
    },
  );

  registerFamilySignOffRoutes(app);
};
