// SPDX-License-Identifier: MIT
/**
 * What the family assessment repository reads and checks: the children who may be assessed together with
 * a child, a family assessment with the children's assessments the caller may see, and whether the caller
 * may change it.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { type LoadedRow, loadAssessment, mayEditAssessment, p } from "./assessment-records.ts";
import type { ToolContent } from "./tool-schema.ts";

/** The children the caller may assess together with this child: in a current household with them, or a brother or sister, whose record the caller may open. */
export const siblingsOf = (trx: Trx, ctx: AccessContext, personId: string) => {
  return trx
    .selectFrom("people as s")
    .select(["s.person_id", "s.given_names", "s.family_name", "s.date_of_birth"])
    .where(inCurrentPartnership("s.partnership_id"))
    .where("s.kind", "=", "child")
    .where("s.merged_into_person_id", "is", null)
    .where("s.person_id", "<>", personId)
    .where(
      sql<boolean>`(exists (
        select 1 from household_members m1
          join household_members m2
            on m2.partnership_id = m1.partnership_id and m2.household_id = m1.household_id
        where m1.partnership_id = ${currentPartnership}
          and m1.person_id = ${personId} and m2.person_id = s.person_id
          and (m1.valid_to is null or m1.valid_to >= ${todayInEnglandSql})
          and (m2.valid_to is null or m2.valid_to >= ${todayInEnglandSql})
      ) or exists (
        select 1 from relationships r
        where r.partnership_id = ${currentPartnership}
          and r.relationship_type in ('sibling', 'half-sibling')
          and ((r.person_id = ${personId} and r.related_person_id = s.person_id)
            or (r.related_person_id = ${personId} and r.person_id = s.person_id))
          and (r.valid_to is null or r.valid_to >= ${todayInEnglandSql})
      ))`,
    )
    .where(childVisibleTo(ctx, p("s.person_id")))
    .orderBy("s.date_of_birth")
    .orderBy("s.given_names")
    .execute();
};

/** The family's row and the children's assessments the caller may see (with how many are hidden). */
export const loadFamily = async (trx: Trx, ctx: AccessContext | undefined, familyAssessmentId: string) => {
  const family = await trx
    .selectFrom("family_assessments as f")
    .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_version_id", "f.tool_version_id"))
    .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
    .selectAll("f")
    .select(["v.content", "v.version", "t.tool_id", "t.name as tool_name"])
    .where(inCurrentPartnership("f.partnership_id"))
    .where("f.family_assessment_id", "=", familyAssessmentId)
    .executeTakeFirst();
  if (!family) return undefined;
  const ids = await trx
    .selectFrom("assessments")
    .select("assessment_id")
    .where(inCurrentPartnership("partnership_id"))
    .where("family_assessment_id", "=", familyAssessmentId)
    .orderBy("started_at")
    .execute();
  const children: LoadedRow[] = [];
  for (const { assessment_id } of ids) {
    const row = await loadAssessment(trx, ctx, assessment_id);
    if (row) children.push(row);
  }
  if (children.length === 0) return undefined;
  children.sort((a, b) => (a.date_of_birth ?? "").localeCompare(b.date_of_birth ?? ""));
  return {
    family: { ...family, tool: family.content as ToolContent },
    children,
    hidden: ids.length - children.length,
  };
};

/** Loads a family assessment the caller may change: every child open to them, a draft, their agency's. */
export const loadEditableFamily = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  familyAssessmentId: string,
) => {
  const loaded = await loadFamily(trx, ctx, familyAssessmentId);
  if (!loaded) return { ok: false as const, message: "Family assessment not found" };
  if (loaded.hidden > 0 || !loaded.children.every((c) => mayEditAssessment(ctx, c)))
    // Still a draft: the caller is refused for access (another agency's, or a child they may not open).
    return loaded.children.every((c) => c.status === "draft")
      ? {
          ok: false as const,
          message:
            "Only your agency's recorders who may open every child's record can change this family assessment",
          denied: true as const,
        }
      : {
          ok: false as const,
          message: "This family assessment has been submitted and can no longer be changed",
        };
  return { ok: true as const, ...loaded };
};

/** Marks the family assessment changed now, with the family's view when given. */
export const touchFamily = async (
  trx: Trx,
  familyAssessmentId: string,
  set: { family_view?: string } = {},
) => {
  await trx
    .updateTable("family_assessments")
    .set({ ...set, updated_at: new Date() })
    .where(inCurrentPartnership("partnership_id"))
    .where("family_assessment_id", "=", familyAssessmentId)
    .execute();
};
