// SPDX-License-Identifier: MIT
/**
 * What an administrator sees before a tool version is published, as pure functions: the level rules run
 * on sample answers (every item at its best point, at its middle point, at its worst point) for each age
 * band, and what changed since the version published before (sections, domains, items, scales, levels
 * and level rules added, removed or changed; a node renamed through the tool's equivalence map is shown
 * as renamed, not as removed and added).
 */
import { AGE_BAND_CODES, type AgeBand } from "./codes.ts";
import {
  type Answer,
  applicableTool,
  computeResults,
  type Judgement,
  scaleOf,
  severity,
  suggestLevel,
} from "./engine.ts";
import { contentHash, type Scale, type ToolContent } from "./tool-schema.ts";

export type SampleKind = "best" | "middle" | "worst";
export const SAMPLE_KINDS: Record<SampleKind, string> = {
  best: "Every answer at its best point",
  middle: "Every answer at its middle point",
  worst: "Every answer at its worst point",
};

export type SampleOutcome = {
  band: AgeBand;
  sample: SampleKind;
  /** Areas asked of a child in this band; 0 means the tool asks nothing at this age. */
  areas: number;
  level: { code: string; name: string } | undefined;
  byDefault: boolean;
  fired: { ruleId: string; because: string; suggest: string; counts: string[]; decisive: boolean }[];
  waiting: string | undefined;
};

/** The point of a scale a sample answers with, ordered from best to worst by severity. */
const samplePoint = (scale: Scale, sample: SampleKind): number | undefined => {
  const ordered = [...scale.points].sort((a, b) => severity(scale, a.value) - severity(scale, b.value));
  const index =
    sample === "best" ? 0 : sample === "worst" ? ordered.length - 1 : Math.floor((ordered.length - 1) / 2);
  return ordered[index]?.value;
};

/**
 * Runs the tool's level rules on one set of sample answers for a child of one age band. A judgement
 * area is confirmed at its computed suggestion, as a practitioner who agrees with it would.
 * @param tool - The tool version's content.
 * @param band - The child's age band.
 * @param sample - Which point every item is answered with.
 */
export const sampleOutcome = (tool: ToolContent, band: AgeBand, sample: SampleKind): SampleOutcome => {
  const answers: Record<string, Answer> = {};
  // Items shown only when another item is answered badly need that answer first: two passes suffice
  // for one level of dependency, and more are rare; repeat until nothing new applies.
  for (let pass = 0; pass < 5; pass++) {
    let added = false;
    for (const section of applicableTool(tool, band, answers))
      for (const domain of section.domains)
        for (const item of domain.items) {
          if (answers[item.id]) continue;
          const value = samplePoint(scaleOf(tool, item.scale), sample);
          answers[item.id] = { value: value ?? null, special: value === undefined ? "not_known" : null };
          added = true;
        }
    if (!added) break;
  }
  const first = computeResults(tool, band, answers, {});
  const judgements: Record<string, Judgement> = {};
  for (const domain of first.domains)
    if (domain.method === "judgement" && domain.computed.value !== undefined)
      judgements[domain.domainId] = { value: domain.computed.value, reason: null };
  const results = computeResults(tool, band, answers, judgements);
  const suggestion = suggestLevel(tool, results);
  return {
    band,
    sample,
    areas: results.domains.length,
    level: suggestion.level,
    byDefault: suggestion.byDefault,
    fired: suggestion.fired.map((rule) => ({
      ruleId: rule.ruleId,
      because: rule.because,
      suggest: rule.suggest,
      counts: rule.counts,
      decisive: rule.decisive,
    })),
    waiting: suggestion.waiting,
  };
};

/**
 * The sample outcomes for every age band and sample.
 * @param tool - The tool version's content.
 * @returns One outcome per band and sample, bands in order.
 */
export const sampleOutcomes = (tool: ToolContent): SampleOutcome[] =>
  AGE_BAND_CODES.flatMap((band) =>
    (Object.keys(SAMPLE_KINDS) as SampleKind[]).map((sample) => sampleOutcome(tool, band, sample)),
  );

export type DiffKind = "tool" | "section" | "domain" | "item" | "scale" | "level" | "level rule";
export type DiffEntry = {
  kind: DiffKind;
  id: string;
  title: string;
  change: "added" | "removed" | "changed" | "renamed";
  /** What changed, in words: `title: "Kitchen" → "Kitchen and food"`, `guidance changed`. */
  details: string[];
};

type Node = { id: string; title: string; parent: string | undefined; body: Record<string, unknown> };

const without = (value: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));

/** Every node of a kind, keyed by id, with the parts compared (children are compared on their own). */
const nodesOf = (tool: ToolContent, kind: DiffKind): Map<string, Node> => {
  const nodes = new Map<string, Node>();
  const add = (id: string, title: string, parent: string | undefined, body: object) =>
    nodes.set(id, { id, title, parent, body: body as Record<string, unknown> });
  switch (kind) {
    case "section":
      for (const s of tool.sections) add(s.id, s.title, undefined, without(s, ["domains"]));
      break;
    case "domain":
      for (const s of tool.sections)
        for (const d of s.domains) add(d.id, d.title, s.id, without(d, ["items"]));
      break;
    case "item":
      for (const s of tool.sections)
        for (const d of s.domains) for (const i of d.items) add(i.id, i.title, d.id, i);
      break;
    case "scale":
      for (const sc of tool.scales) add(sc.id, sc.label ?? sc.id, undefined, sc);
      break;
    case "level":
      for (const l of tool.levels) add(l.code, l.name, undefined, l);
      break;
    case "level rule":
      for (const r of tool.level_rules) add(r.id, r.because, undefined, r);
      break;
    case "tool":
      break;
  }
  return nodes;
};

const same = (a: unknown, b: unknown) => contentHash({ v: a }) === contentHash({ v: b });

const shown = (value: unknown): string | undefined => {
  if (typeof value === "string" && value.length <= 120) return `"${value}"`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
};

/** The fields of two versions of a node that differ, in words. */
const fieldChanges = (before: Node, after: Node, parentWord: string): string[] => {
  const details: string[] = [];
  if (before.parent !== after.parent)
    details.push(`moved from ${parentWord} "${before.parent}" to "${after.parent}"`);
  const keys = [...new Set([...Object.keys(before.body), ...Object.keys(after.body)])]
    .filter((key) => key !== "id" && key !== "code")
    .sort();
  for (const key of keys) {
    const a = before.body[key];
    const b = after.body[key];
    if (same(a, b)) continue;
    if (a === undefined) details.push(`${key} added`);
    else if (b === undefined) details.push(`${key} removed`);
    else {
      const from = shown(a);
      const to = shown(b);
      details.push(from !== undefined && to !== undefined ? `${key}: ${from} → ${to}` : `${key} changed`);
    }
  }
  return details;
};

const PARENT_WORD: Record<DiffKind, string> = {
  tool: "",
  section: "",
  domain: "section",
  item: "domain",
  scale: "",
  level: "",
  "level rule": "",
};

/**
 * What changed from one version of a tool to the next, node by node. Nodes are matched by id; the new
 * version's equivalence map (old id → new id) matches a renamed node with its earlier self.
 * @param before - The version published before.
 * @param after - The version about to be published.
 * @returns The differences, sections first, then domains, items, scales, levels and level rules.
 */
export const toolDiff = (before: ToolContent, after: ToolContent): DiffEntry[] => {
  const entries: DiffEntry[] = [];
  const renamedTo = new Map(Object.entries(after.equivalence));
  for (const kind of ["section", "domain", "item", "scale", "level", "level rule"] as DiffKind[]) {
    const old = nodesOf(before, kind);
    const now = nodesOf(after, kind);
    const matched = new Set<string>();
    for (const node of old.values()) {
      const direct = now.get(node.id);
      const renamed = direct ? undefined : now.get(renamedTo.get(node.id) ?? "");
      const next = direct ?? renamed;
      if (!next) {
        entries.push({ kind, id: node.id, title: node.title, change: "removed", details: [] });
        continue;
      }
      matched.add(next.id);
      const details = fieldChanges(node, next, PARENT_WORD[kind]);
      if (renamed)
        entries.push({
          kind,
          id: next.id,
          title: next.title,
          change: "renamed",
          details: [`id: "${node.id}" → "${next.id}"`, ...details],
        });
      else if (details.length > 0)
        entries.push({ kind, id: next.id, title: next.title, change: "changed", details });
    }
    for (const node of now.values())
      if (!matched.has(node.id))
        entries.push({ kind, id: node.id, title: node.title, change: "added", details: [] });
  }
  const top = ["name", "owner", "purpose", "tier", "licence", "change", "otherwise", "advise_after"] as const;
  const topDetails = fieldChanges(
    { id: "", title: "", parent: undefined, body: Object.fromEntries(top.map((k) => [k, before[k]])) },
    { id: "", title: "", parent: undefined, body: Object.fromEntries(top.map((k) => [k, after[k]])) },
    "",
  );
  if (topDetails.length > 0)
    entries.unshift({
      kind: "tool",
      id: after.id,
      title: after.name,
      change: "changed",
      details: topDetails,
    });
  return entries;
};
