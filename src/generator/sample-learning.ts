// SPDX-License-Identifier: MIT
/**
 * Learning records for a generated demo partnership, so the learning pages show realistic figures:
 * training (three courses, sessions over the past year, about two in three of the people who work with
 * children attending, with confidence before and after that mostly rises) and feedback from children and
 * families (answers on a practitioner's device over the past year, some with a comment). Deterministic from
 * the seed; written as the owner, as the generator writes, with one audit row. And one finished case audit
 * round (it ended before the reference date, so it opens no record to anyone now): the demo auditor's
 * returns, the agreed grades and two actions. Off in tests, which expect a partnership with none of these.
 */

import { appendAudit } from "../audit/audit-log.ts";
import type { HearthDatabase } from "../db/database.ts";
import { addCalendarDays } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";
import { repositoryAuditForms } from "../learning/audits/audit-form.ts";
import { AUDIT_GRADE_CODES } from "../learning/codes.ts";
import { questionnaire } from "../learning/feedback/questionnaire.ts";
import { TRAINED_ROLES } from "../learning/training/training-repository.ts";
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
): Promise<{ attendances: number; feedback: number; audited: number }> => {
  const p = generated.partnershipId;
  const random = seededRandom(`${options.seed}:learning`, p);
  const lead = generated.signIns.find((s) => s.role === "safeguarding-lead");
  if (!lead) return { attendances: 0, feedback: 0, audited: 0 };
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
      .innerJoin("people", (j) => onKey(j, "people.person_id", "i.person_id"))
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
    // A finished case audit round over six children with an involvement of the auditor's agency.
    let audited = 0;
    const auditor = generated.signIns.find((s) => s.role === "auditor");
    const form = repositoryAuditForms()[0];
    const owner = generated.signIns.find((s) => s.role === "practitioner");
    if (auditor && form && owner) {
      const auditorRow = await trx
        .selectFrom("users")
        .select("agency_id")
        .where("partnership_id", "=", p)
        .where("user_id", "=", auditor.userId)
        .executeTakeFirstOrThrow();
      const sampled = [
        ...new Set(involved.filter((r) => r.agency_id === auditorRow.agency_id).map((r) => r.person_id)),
      ].slice(0, 6);
      const formId = random.uuid();
      await trx
        .insertInto("audit_forms")
        .values({
          partnership_id: p,
          form_id: formId,
          slug: form.content.id,
          version: form.content.version,
          name: form.content.name,
          content: JSON.stringify(form.content),
          content_hash: form.hash,
          source_text: form.text,
        })
        .execute();
      const roundId = random.uuid();
      const endsOn = addCalendarDays(options.referenceDate, -30);
      await trx
        .insertInto("audit_rounds")
        .values({
          partnership_id: p,
          round_id: roundId,
          title: "Neglect multi-agency audit",
          theme: "neglect",
          form_id: formId,
          sample_method: "random",
          sample_rule: "open-involvement",
          sample_seed: "demo0001",
          sample_size: sampled.length,
          starts_on: addCalendarDays(endsOn, -42),
          returns_due_on: addCalendarDays(endsOn, -14),
          ends_on: endsOn,
          planned_by: lead.userId,
        })
        .execute();
      await trx
        .insertInto("audit_round_agencies")
        .values({
          partnership_id: p,
          round_id: roundId,
          agency_id: auditorRow.agency_id,
          auditor_user_id: auditor.userId,
        })
        .execute();
      for (const [position, personId] of sampled.entries()) {
        await trx
          .insertInto("audit_round_children")
          .values({ partnership_id: p, round_id: roundId, person_id: personId, position })
          .execute();
        const grade = AUDIT_GRADE_CODES[random.int(1, 3)] ?? "good";
        const returnId = random.uuid();
        await trx
          .insertInto("audit_returns")
          .values({
            partnership_id: p,
            return_id: returnId,
            round_id: roundId,
            person_id: personId,
            agency_id: auditorRow.agency_id,
            version: 1,
            overall_grade: grade,
            summary: "Synthetic demo return: the chronology shows the concerns and the response.",
            submitted_by: auditor.userId,
          })
          .execute();
        await trx
          .insertInto("audit_return_answers")
          .values(
            form.content.questions.map((q) => ({
              partnership_id: p,
              return_id: returnId,
              question_id: q.id,
              grade: AUDIT_GRADE_CODES[random.int(0, 3)] ?? "good",
              evidence: "Seen in the chronology and the case notes (synthetic).",
            })),
          )
          .execute();
        await trx
          .insertInto("audit_moderations")
          .values({
            partnership_id: p,
            moderation_id: random.uuid(),
            round_id: roundId,
            person_id: personId,
            version: 1,
            agreed_grade: grade,
            learning_points:
              "Earlier recognition of cumulative neglect; the child's voice recorded (synthetic).",
            moderated_by: lead.userId,
          })
          .execute();
        if (position < 2)
          await trx
            .insertInto("audit_actions")
            .values({
              partnership_id: p,
              action_id: random.uuid(),
              round_id: roundId,
              person_id: personId,
              description: "Review the chronology with the family's health visitor",
              owner_user_id: owner.userId,
              due_on: addCalendarDays(options.referenceDate, 14),
              created_by: lead.userId,
            })
            .execute();
        audited += 1;
      }
    }
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
        audited,
      },
    });
    return { attendances: attendance.length, feedback: responses.length, audited };
  });
};
