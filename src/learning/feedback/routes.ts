// SPDX-License-Identifier: MIT
/**
 * Feedback pages: a child's feedback (/people/:personId/feedback) where a practitioner makes a one-time
 * link or hands over their device; the questionnaire itself, in a child's or a parent's words, on the
 * device (/people/:personId/feedback/answer) or through the link (/f/:token, no sign-in: the page names
 * nobody, and a used, expired or unknown link says so and nothing more); the lead professional's choice of
 * quotes; and the summary by service and period (/learning/feedback).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../web/app.ts";
import { type FormErrors, fieldError, noErrors, refusalStatus, showForm } from "../../web/forms.ts";
import { forbidden, notFound, refuseRecord, requireAllowed } from "../../web/guards.ts";
import { type FormBody, formBody, idParam, idParams, textParam } from "../../web/request-values.ts";
import { FEEDBACK_VERSION_CODES, FEEDBACK_VERSIONS, type FeedbackVersion } from "../codes.ts";
import { answerThroughLink, unsafeFeedbackLinkState } from "./feedback-repository.ts";
import { questionnaireFor, readAnswers } from "./questionnaire.ts";

const ASKERS = requireAllowed("feedback.ask");
const SUMMARY = requireAllowed("feedback.summary");

const versionOf = (value: unknown): FeedbackVersion =>
  typeof value === "string" && (FEEDBACK_VERSION_CODES as string[]).includes(value)
    ? (value as FeedbackVersion)
    : "family";

export const registerFeedbackRoutes = ({ app, database, config }: AppContext): void => {
  const showChild = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const view = await request.repo.feedback.forChild(personId);
    if (!view) return refuseRecord(reply, personId);
    return reply.code(status).page("learning/feedback/views/child.njk", {
      title: `Feedback: ${view.person.given_names} ${view.person.family_name}`,
      ...view,
      VERSIONS: FEEDBACK_VERSIONS,
      errors: noErrors(),
      ...extra,
    });
  };

  app.get("/people/:personId/feedback", { preHandler: ASKERS }, (request, reply) =>
    showChild(request, reply),
  );

  app.post("/people/:personId/feedback/links", { preHandler: ASKERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const body = formBody(request);
    const result = await request.repo.feedback.createLink(personId, versionOf(body.version));
    if (!result.ok)
      return reply.code(refusalStatus(result)).page("web/views/record-forbidden.njk", { personId });
    return showChild(request, reply, {
      link: `${config.baseUrl}/f/${result.value.token}`,
      linkExpires: result.value.expiresAt,
    });
  });

  const showQuestionnaire = (
    reply: FastifyReply,
    version: FeedbackVersion,
    action: string,
    errors: FormErrors,
    values: FormBody,
  ) =>
    showForm(reply, "learning/feedback/views/questionnaire.njk", errors, {
      title: version === "child" ? "Tell us what you think" : "Tell us what you think of the help you had",
      form: questionnaireFor(version),
      action,
      values,
    });

  app.get("/people/:personId/feedback/answer", { preHandler: ASKERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const view = await request.repo.feedback.forChild(personId);
    if (!view) return refuseRecord(reply, personId);
    const version = versionOf((request.query as FormBody).version);
    return showQuestionnaire(
      reply,
      version,
      `/people/${personId}/feedback/answer?version=${version}`,
      noErrors(),
      {},
    );
  });

  app.post("/people/:personId/feedback/answer", { preHandler: ASKERS }, async (request, reply) => {
    const personId = idParam(request, "personId");
    if (!personId) return notFound(reply);
    const version = versionOf((request.query as FormBody).version);
    // Access first: someone who may not open the child is refused whatever they sent.
    if (!(await request.repo.feedback.mayAskFor(personId))) return refuseRecord(reply, personId);
    const body = formBody(request);
    const read = readAnswers(version, body);
    const action = `/people/${personId}/feedback/answer?version=${version}`;
    if (!read.ok)
      return showQuestionnaire(reply, version, action, fieldError(read.field, read.message), body);
    const result = await request.repo.feedback.recordOnDevice(personId, {
      version,
      answers: read.answers,
      comment: read.comment,
    });
    if (!result.ok) return refuseRecord(reply, personId);
    return reply.page("learning/feedback/views/thanks.njk", { title: "Thank you", version, personId });
  });

  app.post("/people/:personId/feedback/:responseId/quote", { preHandler: ASKERS }, async (request, reply) => {
    const ids = idParams(request, "personId", "responseId");
    if (!ids) return notFound(reply);
    const { personId, responseId } = ids;
    const result = await request.repo.feedback.chooseQuote(personId, responseId);
    if (!result.ok && result.denied) return forbidden(reply);
    return reply.redirect(`/people/${personId}/feedback`, 303);
  });

  // The one-time link: no sign-in, and nothing on the page about the child or family.
  const linkClosed = (reply: FastifyReply, state: "used" | "expired" | "unknown") =>
    reply.code(state === "unknown" ? 404 : 410).page("learning/feedback/views/link-closed.njk", {
      title:
        state === "used"
          ? "This link has been used"
          : state === "expired"
            ? "This link has expired"
            : "This link does not work",
      state,
    });

  app.get("/f/:token", async (request, reply) => {
    const token = textParam(request, "token");
    const link = await unsafeFeedbackLinkState(database, token);
    if (link.state !== "open") return linkClosed(reply, link.state);
    return showQuestionnaire(reply, link.version, `/f/${token}`, noErrors(), {});
  });

  app.post("/f/:token", async (request, reply) => {
    const token = textParam(request, "token");
    const link = await unsafeFeedbackLinkState(database, token);
    if (link.state !== "open") return linkClosed(reply, link.state);
    const body = formBody(request);
    const read = readAnswers(link.version, body);
    if (!read.ok)
      return showQuestionnaire(
        reply,
        link.version,
        `/f/${token}`,
        fieldError(read.field, read.message),
        body,
      );
    const saved = await answerThroughLink(database, token, { answers: read.answers, comment: read.comment });
    if (saved !== "saved") return linkClosed(reply, saved);
    return reply.page("learning/feedback/views/thanks.njk", { title: "Thank you", version: link.version });
  });

  app.get("/learning/feedback", { preHandler: SUMMARY }, async (request, reply) => {
    const summary = await request.repo.feedback.summary();
    if (!summary) return forbidden(reply);
    return reply.page("learning/feedback/views/summary.njk", {
      title: "Feedback from children and families",
      ...summary,
      VERSIONS: FEEDBACK_VERSIONS,
    });
  });
};
