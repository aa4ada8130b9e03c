// SPDX-License-Identifier: MIT
/**
 * Training pages (/learning/training): the courses with their sessions and the caller's own training;
 * adding a course, a session and who attended (safeguarding leads and administrators); a session's page
 * with confidence before and after per learning outcome and the change; recording a confidence
 * evaluation (the attendee, or a lead or administrator); and coverage by agency and role against the
 * partnership's target. Routes only read forms and call the repository; every rule is the repository's.
 * A refusal ends as a 403, which the app audits (src/web/denials.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { can } from "../../kernel/policy.ts";
import { ROLES } from "../../organisation/codes.ts";
import type { AppContext } from "../../web/app.ts";
import { readDateInput } from "../../web/dates.ts";
import { formRoute, readingOf } from "../../web/form-route.ts";
import { type FormErrors, fieldError, noErrors, showForm } from "../../web/forms.ts";
import { forbidden, notFound, requireAllowed, requireSignedIn } from "../../web/guards.ts";
import {
  byPathId,
  type FormBody,
  formBody,
  idParam,
  idParams,
  isId,
  textField,
} from "../../web/request-values.ts";
import {
  COURSE_LEVEL_CODES,
  COURSE_LEVELS,
  type CourseLevel,
  EVALUATION_STAGE_CODES,
  EVALUATION_STAGES,
  type EvaluationStage,
} from "../codes.ts";

const SIGNED_IN = requireSignedIn();
const MANAGERS = requireAllowed("training.manage");
const COVERAGE = requireAllowed("training.coverage");
const COMMON = { LEVELS: COURSE_LEVELS, STAGES: EVALUATION_STAGES, ROLES };

const list = (body: FormBody, name: string): string[] => {
  const value = body[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
};

export const registerTrainingRoutes = ({ app }: AppContext): void => {
  app.get("/learning/training", { preHandler: SIGNED_IN }, async (request, reply) => {
    const role = request.session?.context.role;
    const [courses, mine] = await Promise.all([
      request.repo.training.listCourses(),
      request.repo.training.myTraining(),
    ]);
    return reply.page("learning/training/views/courses.njk", {
      title: "Training",
      courses,
      mine,
      canManage: role !== undefined && can(role, "training.manage"),
      canReadCoverage: role !== undefined && can(role, "training.coverage"),
      ...COMMON,
    });
  });

  formRoute(app, {
    path: "/learning/training/courses/new",
    preHandler: MANAGERS,
    view: "learning/training/views/course-form.njk",
    page: async () => ({ title: "Add a course", LEVEL_CODES: COURSE_LEVEL_CODES, ...COMMON }),
    initial: () => ({ level: "core" }),
    // The repository checks every field and names the one it refuses.
    read: (body) =>
      readingOf(noErrors(), {
        title: textField(body, "title"),
        level: textField(body, "level") as CourseLevel,
        toolSlugs: textField(body, "toolSlugs")
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter((s) => s !== ""),
        outcomes: textField(body, "outcomes").split(/\r?\n/),
      }),
    save: (request, course) => request.repo.training.createCourse(course),
    refusedField: "title",
    next: () => "/learning/training?added=course",
  });

  formRoute(app, {
    path: "/learning/training/courses/:courseId/sessions/new",
    preHandler: MANAGERS,
    view: "learning/training/views/session-form.njk",
    page: async (request) => {
      const course = await byPathId(request, "courseId", async (id) =>
        (await request.repo.training.listCourses()).find((c) => c.course_id === id),
      );
      return course && { title: `Add a session: ${course.title}`, course };
    },
    initial: () => ({}),
    read: (body, request) => {
      const courseId = idParam(request, "courseId");
      if (!courseId) return undefined;
      const held = readDateInput(body, "heldOn", "date the session was held", { required: true });
      if (!held.ok) return { ok: false, errors: fieldError("heldOn", held.message) };
      return readingOf(noErrors(), {
        courseId,
        heldOn: held.value ?? "",
        trainer: textField(body, "trainer"),
      });
    },
    save: (request, { courseId, ...session }) => request.repo.training.addSession(courseId, session),
    refusedField: "heldOn",
    next: (saved) => `/learning/training/sessions/${saved.sessionId}`,
  });

  const showSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FormErrors = noErrors(),
  ) => {
    const trainingSessionId = idParam(request, "trainingSessionId");
    if (!trainingSessionId) return notFound(reply);
    const view = await request.repo.training.getSession(trainingSessionId);
    if (!view) return notFound(reply);
    const people = view.canManage ? ((await request.repo.training.attendanceOptions()) ?? []) : [];
    const attended = new Set(view.attendees.map((a) => a.user_id));
    return showForm(reply, "learning/training/views/session.njk", errors, {
      title: `${view.session.title}, ${view.session.held_on}`,
      ...view,
      people: people.filter((p) => !attended.has(p.user_id)),
      me: request.session?.context.userId,
      ...COMMON,
    });
  };

  app.get("/learning/training/sessions/:trainingSessionId", { preHandler: SIGNED_IN }, (request, reply) =>
    showSession(request, reply),
  );

  app.post(
    "/learning/training/sessions/:trainingSessionId/attendance",
    { preHandler: MANAGERS },
    async (request, reply) => {
      const trainingSessionId = idParam(request, "trainingSessionId");
      if (!trainingSessionId) return notFound(reply);
      const userIds = list(formBody(request), "userIds").filter(isId);
      const result = await request.repo.training.recordAttendance(trainingSessionId, userIds);
      if (!result.ok) {
        if (result.denied) return forbidden(reply);
        if (!result.field) return notFound(reply);
        return showSession(request, reply, fieldError(result.field, result.message));
      }
      return reply.redirect(`/learning/training/sessions/${trainingSessionId}`, 303);
    },
  );

  formRoute(app, {
    path: "/learning/training/sessions/:trainingSessionId/attendees/:userId/evaluation",
    preHandler: SIGNED_IN,
    view: "learning/training/views/evaluation.njk",
    page: async (request) => {
      const ids = idParams(request, "trainingSessionId", "userId");
      const stage = textField(request.query as FormBody, "stage");
      if (!ids || !(EVALUATION_STAGE_CODES as string[]).includes(stage)) return undefined;
      const view = await request.repo.training.getSession(ids.trainingSessionId);
      if (!view) return undefined;
      const attendee = view.attendees.find((a) => a.user_id === ids.userId);
      // Someone else's evaluation, asked for by someone who may not record it: refused (and audited).
      if (!attendee) return view.canManage ? undefined : "forbidden";
      return {
        title: `Confidence ${stage} the course: ${view.session.title}`,
        session: view.session,
        attendee,
        stage,
        ...COMMON,
      };
    },
    initial: () => ({}),
    // The repository checks the stage and each rating, naming the one it refuses.
    read: (body, request) => {
      const ids = idParams(request, "trainingSessionId", "userId");
      if (!ids) return undefined;
      const ratings: number[] = [];
      for (let index = 0; index < 10; index += 1) {
        const text = textField(body, `rating-${index}`);
        if (text === "") break;
        ratings.push(/^[1-5]$/.test(text) ? Number(text) : Number.NaN);
      }
      const stage = textField(request.query as FormBody, "stage") as EvaluationStage;
      return readingOf(noErrors(), { ...ids, stage, ratings });
    },
    save: (request, { trainingSessionId, userId, stage, ratings }) =>
      request.repo.training.recordEvaluation(trainingSessionId, userId, stage, ratings),
    refusedField: "rating-0",
    next: (_saved, { trainingSessionId }) => `/learning/training/sessions/${trainingSessionId}`,
  });

  const showCoverage = async (request: FastifyRequest, reply: FastifyReply, errors: FormErrors) => {
    const coverage = await request.repo.training.coverage();
    if (!coverage) return forbidden(reply);
    const role = request.session?.context.role;
    return showForm(reply, "learning/training/views/coverage.njk", errors, {
      title: "Training coverage",
      ...coverage,
      canManage: role !== undefined && can(role, "training.manage"),
      ...COMMON,
    });
  };

  app.get("/learning/training/coverage", { preHandler: COVERAGE }, (request, reply) =>
    showCoverage(request, reply, noErrors()),
  );

  app.post("/learning/training/target", { preHandler: MANAGERS }, async (request, reply) => {
    const text = textField(formBody(request), "targetPercent").trim();
    const result = await request.repo.training.setTarget(/^\d{1,3}$/.test(text) ? Number(text) : Number.NaN);
    if (!result.ok) {
      if (result.denied) return forbidden(reply);
      return showCoverage(request, reply, fieldError("targetPercent", result.message));
    }
    return reply.redirect("/learning/training/coverage", 303);
  });
};
