// SPDX-License-Identifier: MIT
/**
 * Learning records for a generated demo partnership, so the learning pages show realistic figures:
 * training (three courses, sessions over the past year, about two in three of the people who work with
 * children attending, with confidence before and after that mostly rises) and feedback from children and
 * families (answers on a practitioner's device over the past year, some with a comment). Deterministic from
 * the seed; written as the owner, as the generator writes, with one audit row. Case audits are not yet
 * generated. Off in tests, which expect a partnership with no training recorded.
 */

import { appendAudit } from "../audit/audit-log.ts";
import type { HearthDatabase } from "../db/database.ts";
import { questionnaire } from "../learning/feedback/questionnaire.ts";
import { TRAINED_ROLES } from "../learning/training/training-repository.ts";
import { addCalendarDays } from "../pathways/working-days.ts";
import type { GeneratedPartnership } from "./generate-partnership.ts";
import { seededRandom } from "./random.ts";

const COURSES = [
  {
    title: "Recognising neglect: the basics",
    level: "introductory" as const,
    tool_slugs: [] as string[],
    outcomes: [
      "Recognise the signs of neglect at different ages",
      "Know who to tell and how to share information",
    ],
  },
  {
    title: "Assessing neglect with the Hearth screen",
    level: "core" as const,
    tool_slugs: ["hearth-screen", "home-conditions-rag"],
    outcomes: [
      "Complete the screen with the family",
      "Describe the child's lived experience",
      "Use the chronology to see cumulative harm",
    ],
  },
  {
    title: "Neglect and the child protection threshold",
    level: "advanced" as const,
    tool_slugs: ["hearth-child-needs-profile"],
    outcomes: ["Weigh drift and delay", "Make a plan that changes the child's day"],
  },
];

const TRAINERS = [
  "Partnership training team",
  "Designated nurse for safeguarding",
  "Principal social worker",
];

const COMMENTS = [
  "She listened to me and came back when she said she would.",
  "It helped having one person who knew everything.",
  "I didn't like having to tell my story again.",
  "The food bank vouchers made a big difference.",
  "I felt judged at first but it got better.",
];

/**
 * @param options - The seed and the date the records lead up to.
 * @returns How many attendances and feedback answers were written.
 */
export const addSampleLearning = async (
  database: HearthDatabase,
  generated: GeneratedPartnership,
  options: { seed: string; referenceDate: string },
): Promise<{ attendances: number; feedback: number }> => {
  const p = generated.partnershipId;
  const random = seededRandom(`${options.seed}:learning`, p);
  const lead = generated.signIns.find((s) => s.role === "safeguarding-lead");
  if (!lead) return { attendances: 0, feedback: 0 };
  return database.unsafeOwnerDb.transaction().execute(async (trx) => {
    const people = await trx
      .selectFrom("users")
      .select(["user_id", "agency_id"])
      .where("partnership_id", "=", p)
      .where("deactivated_at", "is", null)
      .where("role", "in", [...TRAINED_ROLES])
      .orderBy("email")
      .execute();
    const sessions: { session_id: string; outcomes: number; held_on: string }[] = [];
    for (const course of COURSES) {
      const courseId = random.uuid();
      await trx
        .insertInto("training_courses")
        .values({ partnership_id: p, course_id: courseId, ...course, created_by: lead.userId })
        .execute();
      for (let i = 0; i < 3; i += 1) {
        const sessionId = random.uuid();
        const heldOn = addCalendarDays(options.referenceDate, -random.int(7, 360));
        await trx
          .insertInto("training_sessions")
          .values({
            partnership_id: p,
            session_id: sessionId,
            course_id: courseId,
            held_on: heldOn,
            trainer: random.pick(TRAINERS),
            created_by: lead.userId,
          })
          .execute();
        sessions.push({ session_id: sessionId, outcomes: course.outcomes.length, held_on: heldOn });
      }
    }
    const attendance = [];
    const evaluations = [];
    for (const person of people) {
      if (random.next() > 0.65) continue;
      const session = random.pick(sessions);
      attendance.push({
        partnership_id: p,
        session_id: session.session_id,
        user_id: person.user_id,
        agency_id: person.agency_id,
        recorded_by: lead.userId,
      });
      if (random.next() > 0.8) continue;
      const before = Array.from({ length: session.outcomes }, () => random.int(1, 4));
      const after = before.map((b) => Math.min(5, Math.max(1, b + random.int(-1, 3))));
      for (const [stage, ratings] of [
        ["before", before],
        ["after", after],
      ] as const)
        evaluations.push({
          partnership_id: p,
          session_id: session.session_id,
          user_id: person.user_id,
          stage,
          ratings,
          recorded_by: person.user_id,
        });
    }
    for (let i = 0; i < attendance.length; i += 500)
      await trx
        .insertInto("training_attendance")
        .values(attendance.slice(i, i + 500))
        .execute();
    for (let i = 0; i < evaluations.length; i += 500)
      await trx
        .insertInto("training_evaluations")
        .values(evaluations.slice(i, i + 500))
        .execute();

    // Feedback: a sample of the children with an open involvement, answered on a practitioner's device.
    const involved = await trx
      .selectFrom("involvements as i")
      .innerJoin("people", (j) =>
        j
          .onRef("people.partnership_id", "=", "i.partnership_id")
          .onRef("people.person_id", "=", "i.person_id"),
      )
      .select(["i.person_id", "i.agency_id"])
      .where("i.partnership_id", "=", p)
      .where("people.kind", "=", "child")
      .orderBy("i.person_id")
      .orderBy("i.agency_id")
      .limit(2000)
      .execute();
    const questions = questionnaire().questions.map((q) => q.id);
    const responses = [];
    for (const row of involved) {
      if (random.next() > 0.08) continue;
      const mood = random.int(2, 5);
      responses.push({
        partnership_id: p,
        response_id: random.uuid(),
        person_id: row.person_id,
        agency_id: row.agency_id,
        episode_id: null,
        version: random.next() < 0.4 ? ("child" as const) : ("family" as const),
        channel: "device" as const,
        link_id: null,
        answers: JSON.stringify(
          Object.fromEntries(questions.map((id) => [id, Math.min(5, Math.max(1, mood + random.int(-1, 1)))])),
        ),
        comment: random.next() < 0.3 ? random.pick(COMMENTS) : null,
        recorded_by: null,
        submitted_at: new Date(`${addCalendarDays(options.referenceDate, -random.int(1, 360))}T12:00:00Z`),
      });
    }
    for (let i = 0; i < responses.length; i += 500)
      await trx
        .insertInto("feedback_responses")
        .values(responses.slice(i, i + 500) as never)
        .execute();
    await appendAudit(trx, {
      partnershipId: p,
      actor: null,
      action: "generate",
      recordType: "partnership",
      recordId: p,
      reason: "synthetic demo learning data",
      details: {
        courses: COURSES.length,
        sessions: sessions.length,
        attendances: attendance.length,
        evaluations: evaluations.length,
        feedback: responses.length,
      },
    });
    return { attendances: attendance.length, feedback: responses.length };
  });
};
