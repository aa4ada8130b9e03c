// SPDX-License-Identifier: MIT
/**
 * Change over time, one chart per domain: the child's readings with one tool drawn on the server with
 * Observable Plot into SVG (no JavaScript in the browser), always beside a table of the same readings.
 * The vertical axis runs from the worst grade at the bottom to the best at the top, whichever way the
 * scale is numbered, so "up" always means better for the child.
 *
 * As in the chronology's timeline, the content security policy allows no inline styles: Plot's <style>
 * element and style attributes are removed and public/hearth.css sizes the SVG.
 */
import * as Plot from "@observablehq/plot";
import { chartDocument, finishChart } from "../web/charts.ts";
import { formatIsoDate } from "../web/views.ts";
import type { DomainHistory } from "./assessment-history.ts";

const LINE = "#1d70b8";

/**
 * Draws one domain's readings.
 * @param domain - The domain's readings and scale.
 * @param subject - The child's name, for the chart's accessible title.
 * @returns SVG markup, or undefined when there is no reading with a value.
 */
export const domainChart = (domain: DomainHistory, subject: string): string | undefined => {
  const data = domain.readings
    .filter((r): r is typeof r & { value: number } => r.value !== undefined)
    .map((r) => ({
      date: new Date(`${r.date}T00:00:00Z`),
      value: r.value,
      label: r.label,
      when: formatIsoDate(r.date),
    }));
  if (data.length === 0) return undefined;
  const { scale } = domain;
  const ticks = scale.points.length > 0 ? scale.points.map((pt) => pt.value) : undefined;
  const title = `${domain.title}: ${subject}'s readings over time`;
  const document = chartDocument();
  const chart = Plot.plot({
    document,
    className: "hearth-change-plot",
    width: 560,
    height: 260,
    marginLeft: 56,
    marginRight: 24,
    marginBottom: 48,
    x: { type: "utc", label: null, ticks: Math.min(6, data.length), tickFormat: "%b %Y", inset: 24 },
    y: {
      domain: [scale.min, scale.max],
      reverse: scale.direction === "higher_worse",
      ...(ticks ? { ticks } : {}),
      grid: true,
      label: scale.direction === "higher_worse" ? "Grade (better is higher)" : "Score (better is higher)",
      tickFormat: "d",
    },
    marks: [
      Plot.line(data, { x: "date", y: "value", stroke: LINE, strokeWidth: 2 }),
      Plot.dot(data, {
        x: "date",
        y: "value",
        fill: LINE,
        r: 5,
        title: (d: { when: string; label: string }) => `${d.when}: ${d.label}`,
      }),
    ],
  }) as unknown as Element;
  return finishChart(chart, document, title, {
    description:
      "A line joining each assessment's grade, with better grades higher up. The same readings are in the table beside it.",
  });
};

/**
 * Distance travelled in words, e.g. "2 grades better since the baseline on 1 January 2026 (13 weeks)".
 * @param domain - The domain's readings and trend.
 */
export const distanceTravelled = (domain: DomainHistory): string => {
  const { trend } = domain;
  if (!trend.baseline || trend.change === undefined || !trend.latest)
    return "Only one reading so far: this is the baseline.";
  const steps = Math.abs(trend.change);
  const unit =
    domain.scale.points.length > 0 && domain.scale.type !== "numeric"
      ? steps === 1
        ? "grade"
        : "grades"
      : steps === 1
        ? "point"
        : "points";
  const since = `since the baseline on ${formatIsoDate(trend.baseline.date)} (${trend.weeksElapsed ?? 0} weeks)`;
  if (trend.direction === "same") return `No change ${since}.`;
  return `${steps} ${unit} ${trend.direction === "better" ? "better" : "worse"} ${since}.`;
};
