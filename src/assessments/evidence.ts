// SPDX-License-Identifier: MIT
/**
 * What a manager reads before signing off an assessment, area by area: the grade, each answer with its
 * evidence and where it came from, the family's words on that area, and the change since the last
 * reading of the same tool for the same child. Pure: the route passes in what the repository loaded.
 */
import { EVIDENCE_SOURCES, type EvidenceSource, FAMILY_AGREEMENT, type FamilyAgreement } from "./codes.ts";
import { type DomainResult, pointLabel, type Reading, severity, type ToolResults } from "./engine.ts";

export type EvidenceAnswer = {
  value: string | number | null;
  special: string | null;
  evidence: string | null;
  evidence_sources: string[];
};

export type EvidenceInput = {
  assessmentId: string;
  results: Pick<ToolResults, "domains" | "items">;
  answers: Record<string, EvidenceAnswer | undefined>;
  familyView: {
    domains: Record<string, { agreement: FamilyAgreement | null; comment: string | null }>;
  } | null;
  history: { domains: { domainId: string; readings: (Reading & { label: string })[] }[] };
};

export type AreaEvidence = {
  domainId: string;
  title: string;
  grade: string;
  colour: string | undefined;
  overrideReason: string | undefined;
  items: { title: string; answer: string; evidence: string | null; sources: string }[];
  familyWords: string | undefined;
  /** "Some concern on 3 March 2026: worse" style facts, or undefined when this is the first reading. */
  change: { previousLabel: string; previousOn: string; direction: "better" | "worse" | "same" } | undefined;
};

const SPECIAL_LABELS: Record<string, string> = {
  not_known: "Not known",
  not_applicable: "Does not apply",
};

const gradeOf = (d: DomainResult) =>
  d.value === undefined
    ? "Not graded"
    : d.kind === "count"
      ? `${d.value} of ${d.applicable} items at or beyond the threshold`
      : pointLabel(d.scale, d.value);

/**
 * Every area of an assessment as the manager reviews it.
 * @param input - The assessment's results, stored answers, family view and the child's history with the tool.
 */
export const areaEvidence = (input: EvidenceInput): AreaEvidence[] =>
  input.results.domains.map((d) => {
    const items = input.results.items
      .filter((i) => i.domainId === d.domainId)
      .map((i) => {
        const stored = input.answers[i.itemId];
        const answer =
          stored?.special && SPECIAL_LABELS[stored.special]
            ? (SPECIAL_LABELS[stored.special] ?? "")
            : pointLabel(i.scale, i.answer?.value ?? null);
        return {
          title: i.title,
          answer,
          evidence: stored?.evidence ?? null,
          sources: (stored?.evidence_sources ?? [])
            .map((s) => EVIDENCE_SOURCES[s as EvidenceSource] ?? s)
            .join(", "),
        };
      });
    const family = input.familyView?.domains[d.domainId];
    const familyWords =
      family && (family.agreement || family.comment)
        ? [family.agreement ? FAMILY_AGREEMENT[family.agreement] : "", family.comment ?? ""]
            .filter((part) => part !== "")
            .join(": ")
        : undefined;
    const readings = input.history.domains.find((h) => h.domainId === d.domainId)?.readings ?? [];
    // This assessment's reading carries its id once submitted; a draft's is the one without an id.
    let at = readings.findIndex((r) => r.assessmentId === input.assessmentId);
    if (at < 0) at = readings.findIndex((r) => r.assessmentId === undefined);
    const previous = at > 0 ? readings.slice(0, at).findLast((r) => r.value !== undefined) : undefined;
    let change: AreaEvidence["change"];
    if (previous?.value !== undefined && d.value !== undefined) {
      const delta = severity(d.scale, d.value) - severity(d.scale, previous.value);
      change = {
        previousLabel: previous.label,
        previousOn: previous.date,
        direction: delta < -1e-9 ? "better" : delta > 1e-9 ? "worse" : "same",
      };
    }
    return {
      domainId: d.domainId,
      title: d.title,
      grade: gradeOf(d),
      colour: d.scale.points.find((p) => p.value === d.value)?.colour,
      overrideReason: d.overrideReason,
      items,
      familyWords,
      change,
    };
  });
