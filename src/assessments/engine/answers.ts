// SPDX-License-Identifier: MIT
/** Answers, scales and items: how bad a value is, and which items apply to a child of an age band. */
import { type AgeBand, type Meaning, meaningRank } from "../codes.ts";
import type { Item, Scale, ToolContent } from "../tool-schema.ts";

export type Special = "not_known" | "not_applicable";
export type Answer = { value: number | null; special: Special | null };
export type Judgement = { value: number | null; reason: string | null };

/** Below this difference two computed values count as equal (floating-point sums). */
export const EPSILON = 1e-9;

/**
 * The age band of a child on a date.
 * @param dateOfBirth - YYYY-MM-DD, or null for an unborn child.
 * @param on - The assessment's date, YYYY-MM-DD.
 * @returns The band; a child not yet born on that date is "antenatal".
 */
export const ageBandOn = (dateOfBirth: string | null, on: string): AgeBand => {
  if (!dateOfBirth || dateOfBirth > on) return "antenatal";
  let years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  if (on.slice(5) < dateOfBirth.slice(5)) years -= 1;
  if (years <= 2) return "0-2";
  if (years <= 5) return "3-5";
  if (years <= 11) return "6-11";
  return "12-17";
};

/** @returns The scale with this id (the engine only sees validated content, where it always exists). */
export const scaleOf = (tool: ToolContent, id: string): Scale => {
  const scale = tool.scales.find((s) => s.id === id);
  if (!scale) throw new Error(`tool ${tool.id} has no scale ${id}`);
  return scale;
};

/** @returns How bad a value is on its scale: 0 is the best point, 1 the worst. */
export const severity = (scale: Pick<Scale, "min" | "max" | "direction">, value: number): number => {
  const span = scale.max - scale.min;
  if (span <= 0) return 0;
  const position = (value - scale.min) / span;
  return scale.direction === "higher_worse" ? position : 1 - position;
};

/** @returns The meaning of a value (the nearest point's), if the scale gives meanings. */
export const meaningOf = (scale: Scale, value: number | undefined): Meaning | undefined => {
  if (value === undefined) return undefined;
  return scale.points.find((p) => Math.abs(p.value - value) < EPSILON)?.meaning;
};

/** @returns The label of the point with this value, or the value itself. */
export const pointLabel = (scale: Scale, value: number | undefined | null): string => {
  if (value === undefined || value === null) return "Not answered";
  return scale.points.find((p) => Math.abs(p.value - value) < EPSILON)?.label ?? String(value);
};

/** @returns The descriptor of a point for an age band, falling back to the item's general descriptors. */
export const descriptorFor = (item: Item, band: AgeBand, value: number): string | undefined =>
  item.descriptors?.[band]?.[String(value)] ?? item.descriptors?.all?.[String(value)];

const atOrWorseThanMeaning = (scale: Scale, value: number, threshold: Meaning): boolean => {
  const meaning = meaningOf(scale, value);
  return meaning !== undefined && meaningRank(meaning) >= meaningRank(threshold);
};

/**
 * Whether an item is asked for a child of this age band, given the answers so far.
 * @param item - The item.
 * @param band - The child's age band on the assessment's date.
 * @param answers - Answers by item id (for `show_when`).
 * @param tool - The tool (for the other item's scale).
 */
export const itemApplies = (
  item: Item,
  band: AgeBand,
  answers: Record<string, Answer>,
  tool: ToolContent,
): boolean => {
  if (item.applies_to && !item.applies_to.includes(band)) return false;
  if (!item.show_when) return true;
  const other = findItem(tool, item.show_when.item);
  const answer = answers[item.show_when.item];
  if (!other || answer?.value === null || answer?.value === undefined) return false;
  return atOrWorseThanMeaning(scaleOf(tool, other.item.scale), answer.value, item.show_when.at_or_worse);
};

/** @returns The item with this id and the domain and section it sits in. */
export const findItem = (tool: ToolContent, itemId: string) => {
  for (const section of tool.sections)
    for (const domain of section.domains)
      for (const item of domain.items) if (item.id === itemId) return { section, domain, item };
  return undefined;
};

/**
 * The parts of the tool asked of this child: sections, their domains and the items that apply.
 * A domain with no applicable item is left out, and so is a section with no domain.
 */
export const applicableTool = (tool: ToolContent, band: AgeBand, answers: Record<string, Answer>) =>
  tool.sections
    .map((section) => ({
      ...section,
      domains: section.domains
        .filter((domain) => !domain.applies_to || domain.applies_to.includes(band))
        .map((domain) => ({
          ...domain,
          items: domain.items.filter((i) => itemApplies(i, band, answers, tool)),
        }))
        .filter((domain) => domain.items.length > 0),
    }))
    .filter((section) => section.domains.length > 0);
