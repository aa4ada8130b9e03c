// SPDX-License-Identifier: MIT
/**
 * The timeline picture: how many entries each agency (or each person) recorded in each quarter or month,
 * drawn on the server with Observable Plot into SVG, so it needs no JavaScript in the browser. The same
 * counts always go beside it as a table, which is what screen readers and printouts use.
 *
 * Hearth's content security policy allows no inline styles, so Plot's <style> element and any style
 * attributes are removed; public/hearth.css sizes the SVG instead. Colours are presentation attributes
 * (fill="..."), which the policy does not cover.
 */
import * as Plot from "@observablehq/plot";
import { LRUCache } from "lru-cache";
import { chartDocument, finishChart } from "../web/charts.ts";
import type { Chronology } from "./chronology-repository.ts";

export type TimelineGrouping = "agency" | "person";

export type Timeline = {
  /** The chart's SVG markup, or undefined when there is nothing to draw. */
  svg: string | undefined;
  /** "quarter" or "month". */
  period: "quarter" | "month";
  title: string;
  /** Each group with its colour, for the legend. */
  legend: { name: string; colour: string }[];
  /** The data table: a row per period, a column per group, and a total. */
  head: string[];
  rows: { period: string; counts: number[]; total: number }[];
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Colours distinguishable on white, GOV.UK's palette first. */
const PALETTE = [
  "#1d70b8",
  "#d4351c",
  "#00703c",
  "#f47738",
  "#4c2c92",
  "#28a197",
  "#912b88",
  "#505a5f",
  "#b58840",
  "#003078",
  "#f499be",
  "#85994b",
];

/** Months since year 0, so periods can be enumerated without gaps. */
const monthIndex = (iso: string): number => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;

const periodLabel = (index: number, period: "quarter" | "month"): string => {
  const year = Math.floor(index / 12);
  const month = index % 12;
  return period === "month" ? `${MONTHS[month]} ${year}` : `${year} Q${Math.floor(month / 3) + 1}`;
};

/**
 * Counts entries per period and group and draws them.
 * @param chronology - The chronology's counts per month, person and agency (every entry matching the
 * filters, not only the page shown) and its members, for their names.
 * @param by - Group by recording agency or by person.
 * @param subject - Whose chronology, for the chart's title.
 */
export const buildTimeline = (
  chronology: Pick<Chronology, "counts" | "members">,
  by: TimelineGrouping,
  subject: string,
): Timeline => {
  // Every page of a chronology draws the same picture (it counts every matching entry, not the page's),
  // and drawing it is a tenth of a long chronology page's time: the same counts give the same timeline.
  const key = JSON.stringify([by, subject, chronology.counts, chronology.members.map(memberKey)]);
  const known = drawn.get(key);
  if (known) return known;
  const timeline = drawTimeline(chronology, by, subject);
  drawn.set(key, timeline);
  return timeline;
};

/** What of a member the timeline shows. */
const memberKey = (m: Chronology["members"][number]) => [m.person_id, m.name, m.label];

/** Timelines drawn lately, by what they were drawn from (a few megabytes at most). */
const drawn = new LRUCache<string, Timeline>({
  max: 200,
  maxSize: 8_000_000,
  sizeCalculation: (timeline, key) => key.length + (timeline.svg?.length ?? 0) + 1,
});

const drawTimeline = (
  chronology: Pick<Chronology, "counts" | "members">,
  by: TimelineGrouping,
  subject: string,
): Timeline => {
  const members = new Map(chronology.members.map((m) => [m.person_id, `${m.name} (${m.label})`]));
  const events = chronology.counts.map((c) => ({ ...c, occurred_on: `${c.month}-01` }));
  const groupOf = (event: (typeof events)[number]) =>
    by === "agency" ? event.agency_name : (members.get(event.person_id) ?? "");
  const title = `Chronology entries per ${"PERIOD"} by ${by === "agency" ? "agency" : "person"}: ${subject}`;
  if (events.length === 0) {
    return {
      svg: undefined,
      period: "quarter",
      title: title.replace("PERIOD", "quarter"),
      legend: [],
      head: [],
      rows: [],
    };
  }
  const months = events.map((event) => monthIndex(event.occurred_on));
  const first = Math.min(...months);
  const last = Math.max(...months);
  const period: "quarter" | "month" = last - first < 24 ? "month" : "quarter";
  const step = period === "month" ? 1 : 3;
  const start = period === "month" ? first : first - (first % 3);
  const periods: string[] = [];
  for (let index = start; index <= last; index += step) periods.push(periodLabel(index, period));
  const groups = [...new Set(events.map(groupOf))].sort((a, b) => a.localeCompare(b));
  const counts = new Map<string, number>();
  for (const event of events) {
    const index = monthIndex(event.occurred_on);
    const key = `${periodLabel(index - (period === "quarter" ? index % 3 : 0), period)}\u0000${groupOf(event)}`;
    counts.set(key, (counts.get(key) ?? 0) + event.count);
  }
  const countOf = (p: string, g: string) => counts.get(`${p}\u0000${g}`) ?? 0;
  const data = periods.flatMap((p) => groups.map((g) => ({ period: p, group: g, count: countOf(p, g) })));
  const colours = groups.map((_, index) => PALETTE[index % PALETTE.length] ?? "#505a5f");
  const fullTitle = title.replace("PERIOD", period);
  const highest = Math.max(...periods.map((p) => groups.reduce((sum, g) => sum + countOf(p, g), 0)));
  const yStep = Math.max(1, Math.ceil(highest / 8));
  const yTicks: number[] = [];
  for (let n = 0; n <= highest; n += yStep) yTicks.push(n);
  const everyNth = Math.max(1, Math.ceil(periods.length / 16));

  const document = chartDocument();
  const chart = Plot.plot({
    document,
    className: "hearth-timeline-plot",
    width: 900,
    height: 360,
    marginBottom: 60,
    marginLeft: 48,
    x: {
      type: "band",
      domain: periods,
      label: null,
      tickRotate: -45,
      tickFormat: (d: string, i: number) => (i % everyNth === 0 ? d : ""),
    },
    y: { grid: true, label: "Entries", ticks: yTicks, tickFormat: "d" },
    color: { domain: groups, range: colours },
    marks: [
      Plot.barY(data, {
        x: "period",
        y: "count",
        fill: "group",
        title: (d: { period: string; group: string; count: number }) => `${d.group}, ${d.period}: ${d.count}`,
      }),
      Plot.ruleY([0]),
    ],
  }) as unknown as Element;

  const svg = finishChart(chart, document, fullTitle, {
    description: `Stacked bars: one bar per ${period}, coloured by ${by}. The same counts are in the table below.`,
    keepSize: true,
  });

  return {
    svg,
    period,
    title: fullTitle,
    legend: groups.map((name, index) => ({ name, colour: colours[index] ?? "#505a5f" })),
    head: groups,
    rows: periods.map((p) => {
      const row = groups.map((g) => countOf(p, g));
      return { period: p, counts: row, total: row.reduce((sum, n) => sum + n, 0) };
    }),
  };
};
