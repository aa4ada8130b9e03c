// SPDX-License-Identifier: MIT
/**
 * Change over time: a child's readings with one tool across every version of it, one series per domain,
 * with distance travelled and the no-improvement and relapse flags that feed the suggested level.
 */
import type { Trx } from "../data/repository-scope.ts";
import { inCurrentPartnership, inPersonCluster, onKey } from "../kernel/sql.ts";
import { readAnswers, toAnswers } from "./assessment-records.ts";
import {
  ageBandOn,
  canonicalNodeIds,
  computeResults,
  domainTrend,
  type Judgement,
  pointLabel,
  type Reading,
  type ToolResults,
  type Trend,
  type TrendFlag,
} from "./engine.ts";
import type { Scale, ToolContent } from "./tool-schema.ts";

export type DomainHistory = {
  domainId: string;
  title: string;
  scale: Scale;
  readings: (Reading & { label: string })[];
  trend: Trend;
};

/** The flags raised by any domain's trend, as the level rules read them. */
export const flagsOf = (domains: DomainHistory[]): Set<TrendFlag> => {
  const flags = new Set<TrendFlag>();
  for (const d of domains) {
    if (d.trend.noImprovement) flags.add("no_improvement");
    if (d.trend.relapse) flags.add("relapse");
  }
  return flags;
};

/**
 * The child's readings with one tool over time (every version, through the equivalence maps), one
 * series per domain with distance travelled and flags. Drafts are left out.
 */
export const readHistory = async (
  trx: Trx,
  personId: string,
  toolId: string,
  extra?: { assessedOn: string; results: ToolResults },
) => {
  const versions = await trx
    .selectFrom("assessment_tool_versions")
    .select(["tool_version_id", "content", "published_at"])
    .where(inCurrentPartnership("partnership_id"))
    .where("tool_id", "=", toolId)
    .orderBy("published_at")
    .execute();
  const contents = versions.map((v) => v.content as ToolContent);
  const latest = contents.at(-1);
  const canonical = canonicalNodeIds(contents);
  const entries = await trx
    .selectFrom("assessments as a")
    .innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))
    .select([
      "a.assessment_id",
      "a.tool_version_id",
      "a.assessed_on",
      "a.judgements",
      "a.status",
      "c.date_of_birth",
    ])
    .where(inCurrentPartnership("a.partnership_id"))
    .where(inPersonCluster("a.person_id", personId))
    .where("a.tool_version_id", "in", versions.length ? versions.map((v) => v.tool_version_id) : [""])
    .where("a.status", "<>", "draft")
    .orderBy("a.assessed_on")
    .execute();
  const answerRows = await readAnswers(
    trx,
    entries.map((e) => e.assessment_id),
  );
  const series = new Map<string, DomainHistory>();
  const add = (versionIndex: number, assessedOn: string, results: ToolResults, assessmentId?: string) => {
    for (const domain of results.domains) {
      const id = canonical(versionIndex, domain.domainId);
      const current = latest?.sections.flatMap((s) => s.domains).find((d) => d.id === id);
      const entry = series.get(id) ?? {
        domainId: id,
        title: current?.title ?? domain.title,
        scale: domain.scale,
        readings: [],
        trend: domainTrend([], domain.scale),
      };
      entry.readings.push({
        date: assessedOn,
        value: domain.value,
        label:
          domain.kind === "count"
            ? String(domain.value ?? "Not given")
            : pointLabel(domain.scale, domain.value),
        ...(assessmentId ? { assessmentId } : {}),
      });
      series.set(id, entry);
    }
  };
  for (const entry of entries) {
    const versionIndex = versions.findIndex((v) => v.tool_version_id === entry.tool_version_id);
    const tool = contents[versionIndex];
    if (!tool) continue;
    const answers = toAnswers(answerRows.filter((r) => r.assessment_id === entry.assessment_id));
    const results = computeResults(
      tool,
      ageBandOn(entry.date_of_birth, entry.assessed_on),
      answers,
      entry.judgements as Record<string, Judgement>,
    );
    add(versionIndex, entry.assessed_on, results, entry.assessment_id);
  }
  if (extra) add(versions.length - 1, extra.assessedOn, extra.results);
  const reviews = latest?.change.no_improvement_reviews ?? 2;
  const domains = [...series.values()].map((d) => ({
    ...d,
    readings: d.readings.sort((a, b) => a.date.localeCompare(b.date)),
    trend: domainTrend(d.readings, d.scale, reviews),
  }));
  const order = latest?.sections.flatMap((s) => s.domains.map((d) => d.id)) ?? [];
  domains.sort((a, b) => order.indexOf(a.domainId) - order.indexOf(b.domainId));
  return { domains, assessments: entries.length + (extra ? 1 : 0), reviews };
};
