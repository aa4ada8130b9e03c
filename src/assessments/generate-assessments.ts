// SPDX-License-Identifier: MIT
/**
 * Synthetic assessments for the generator: for each given child, a baseline and reviews every three
 * months with the Hearth child needs profile, following a trajectory (improving, static or relapsing),
 * signed off and entered in the chronology like real ones. Deterministic from the seed; every word is
 * invented.
 */
import type { Insertable } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import type { AssessmentAnswerTable } from "../db/schema.ts";
import { seededRandom } from "../generator/random.ts";
import { onKey } from "../kernel/sql.ts";
import {
  ageBandOn,
  computeResults,
  domainTrend,
  type Judgement,
  pointLabel,
  type Reading,
  suggestLevel,
  type TrendFlag,
} from "./engine.ts";
import { installRepositoryToolsIn } from "./tool-library.ts";
import type { ToolContent } from "./tool-schema.ts";

export type Trajectory = "improving" | "static" | "relapsing";

export type GenerateAssessmentsOptions = {
  partnershipId: string;
  seed: string;
  /** The agency whose practitioner completes them (it should be involved with the children). */
  agencyId: string;
  practitionerUserId: string;
  managerUserId: string;
  /** The "today" histories lead up to, YYYY-MM-DD. */
  referenceDate: string;
  children: { personId: string; dateOfBirth: string | null; trajectory: Trajectory }[];
  /** Readings per child, baseline included (default 3). */
  readings?: number;
};

/** Grades (1 best, 5 worst) of each reading for a trajectory, starting from a baseline grade. */
const gradesFor = (trajectory: Trajectory, baseline: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => {
    if (trajectory === "improving") return Math.max(1, baseline - i);
    if (trajectory === "static") return baseline;
    // Relapsing: better at the middle review(s), back to the baseline at the last.
    return i === 0 || i === count - 1 ? baseline : Math.max(1, baseline - 2);
  });

const addMonths = (iso: string, months: number): string => {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
};

/**
 * Writes the assessments, as the owner (a system job), in one transaction.
 * @param database - The open database.
 * @param options - Partnership, seed, the people who complete and sign off, and the children.
 * @returns How many assessments were written.
 */
export const generateAssessments = async (
  database: HearthDatabase,
  options: GenerateAssessmentsOptions,
): Promise<{ assessments: number }> => {
  // Salted with the partnership, so one seed used in two partnerships of a database gives distinct ids.
  const random = seededRandom(`${options.seed}:assessments`, options.partnershipId);
  const count = Math.max(2, options.readings ?? 3);
  let written = 0;
  await database.unsafeOwnerDb.transaction().execute(async (trx) => {
    await installRepositoryToolsIn(trx as Trx, options.partnershipId);
    const version = await trx
      .selectFrom("assessment_tool_versions as v")
      .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
      .select(["v.tool_version_id", "v.content", "v.version", "t.name"])
      .where("v.partnership_id", "=", options.partnershipId)
      .where("t.slug", "=", "hearth-child-needs-profile")
      .orderBy("v.published_at", "desc")
      .executeTakeFirstOrThrow();
    const tool = version.content as ToolContent;
    const domains = tool.sections.flatMap((s) => s.domains);
    for (const child of options.children) {
      // Two or three areas carry the concern; the rest are met, so the profile has strengths too.
      const concerned = new Set(
        [...domains]
          .sort(() => random.next() - 0.5)
          .slice(0, random.int(2, 3))
          .map((d) => d.id),
      );
      const baselines = new Map(
        domains.map((d) => [d.id, concerned.has(d.id) ? random.int(3, 5) : random.int(1, 2)]),
      );
      const first = addMonths(options.referenceDate, -3 * (count - 1) - 1);
      // Each domain's readings so far: the stored flags are those the sign-off would have computed.
      const readingsByDomain = new Map<string, Reading[]>();
      for (let reading = 0; reading < count; reading += 1) {
        const assessedOn = addMonths(first, 3 * reading);
        const band = ageBandOn(child.dateOfBirth, assessedOn);
        const assessmentId = random.uuid();
        const answers: Record<string, { value: number; special: null }> = {};
        const judgements: Record<string, Judgement> = {};
        for (const domain of domains) {
          const grade = concerned.has(domain.id)
            ? (gradesFor(child.trajectory, baselines.get(domain.id) ?? 3, count)[reading] ?? 3)
            : (baselines.get(domain.id) ?? 1);
          domain.items.forEach((item, index) => {
            // The first item carries the domain's grade; the others sit at or just below it.
            answers[item.id] = {
              value: index === 0 ? grade : Math.max(1, grade - random.int(0, 1)),
              special: null,
            };
          });
          judgements[domain.id] = { value: grade, reason: null };
        }
        const results = computeResults(tool, band, answers, judgements);
        const flags = new Set<TrendFlag>();
        for (const domain of results.domains) {
          const readings = readingsByDomain.get(domain.domainId) ?? [];
          readings.push({ date: assessedOn, value: domain.value });
          readingsByDomain.set(domain.domainId, readings);
          const trend = domainTrend(readings, domain.scale);
          if (trend.noImprovement) flags.add("no_improvement");
          if (trend.relapse) flags.add("relapse");
        }
        const level = suggestLevel(tool, results, flags);
        const submittedAt = new Date(`${assessedOn}T15:00:00Z`);
        const signedAt = new Date(submittedAt.getTime() + 2 * 86_400_000);
        const eventId = random.uuid();
        const concern = results.domains.filter((d) => d.meaning === "unmet" || d.meaning === "serious");
        await trx
          .insertInto("chronology_events")
          .values({
            partnership_id: options.partnershipId,
            event_id: eventId,
            person_id: child.personId,
            occurred_on: assessedOn,
            date_precision: "day",
            event_type: "neglect-assessment",
            source_agency_id: options.agencyId,
            recorded_by: options.managerUserId,
            what_happened: `${version.name} (version ${version.version}) completed and signed off. Suggested level of need: ${level.level?.name ?? "none"}.`,
            impact_on_child:
              concern.length > 0
                ? `Areas where the child's needs are often not met: ${concern.map((d) => `${d.title} (${pointLabel(d.scale, d.value)})`).join("; ")}.`
                : "The assessment found the child's needs met or partly met in every area assessed.",
            action_taken: "Manager's sign-off: plan reviewed with the family.",
            significance: concern.length > 0 ? "high" : "medium",
            neglect_types: [...new Set(concern.flatMap((d) => d.neglectTypes))],
            information_basis: "opinion",
          })
          .execute();
        await trx
          .insertInto("assessments")
          .values({
            partnership_id: options.partnershipId,
            assessment_id: assessmentId,
            person_id: child.personId,
            tool_version_id: version.tool_version_id,
            agency_id: options.agencyId,
            mode: "with-family",
            assessed_on: assessedOn,
            started_by: options.practitionerUserId,
            judgements: JSON.stringify(judgements),
            family_view: JSON.stringify({
              domains: {},
              comments: null,
              ownScaling: random.int(3, 8),
              seenScoresOn: assessedOn,
            }),
            child_voice: JSON.stringify({
              method: band === "0-2" ? "observation" : "words",
              words: null,
              scaling: null,
              recordedOn: assessedOn,
            }),
            results: JSON.stringify({ band, domains: [], level, flags: [...flags] }),
          })
          .execute();
        await trx
          .updateTable("assessments")
          .set({
            status: "signed-off",
            submitted_at: submittedAt,
            submitted_by: options.practitionerUserId,
            signed_off_at: signedAt,
            signed_off_by: options.managerUserId,
            sign_off_comments: "Plan reviewed with the family.",
            chronology_event_id: eventId,
          })
          .where("partnership_id", "=", options.partnershipId)
          .where("assessment_id", "=", assessmentId)
          .execute();
        const rows: Insertable<AssessmentAnswerTable>[] = Object.entries(answers).map(([nodeId, answer]) => ({
          partnership_id: options.partnershipId,
          assessment_id: assessmentId,
          node_id: nodeId,
          value: answer.value,
          special: null,
          evidence_sources: ["observed"],
          evidence: null,
          updated_by: options.practitionerUserId,
        }));
        await trx.insertInto("assessment_answers").values(rows).execute();
        written += 1;
      }
    }
  });
  return { assessments: written };
};
