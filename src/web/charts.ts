// SPDX-License-Identifier: MIT
/**
 * Charts drawn on the server with Observable Plot into SVG, so pages need no JavaScript, and made safe for
 * Hearth's content security policy and for assistive technology, as the chronology's timeline and the
 * assessments' change chart first did: Plot's <style> element and style attributes are removed
 * (public/hearth.css sizes the SVG), the labels Plot puts on inner groups are dropped (an aria-label on a
 * plain <g> is not allowed), and the SVG becomes one image with a <title>. A table of the same figures
 * always goes beside a chart: that is what screen readers and printouts use.
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** Colours distinguishable on white, GOV.UK's palette first. */
export const CHART_PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#505a5f"];

/** A fresh server-side document for Plot to draw into. */
export const chartDocument = (): Document =>
  parseHTML("<!doctype html><html><body></body></html>").document as unknown as Document;

/**
 * Makes a Plot SVG safe for the CSP and accessible as one image.
 * @param chart - What Plot.plot returned.
 * @param document - The document it was drawn in.
 * @param title - The chart's accessible name.
 * @param options.description - What the chart shows, for a screen reader (an SVG <desc>).
 * @param options.keepSize - Keep Plot's width and height (a wide chart that scrolls) instead of scaling to
 *   its column.
 * @returns SVG markup.
 */
export const finishChart = (
  chart: Element,
  document: Document,
  title: string,
  options: { description?: string; keepSize?: boolean } = {},
): string => {
  // No inline styles: the content security policy would block them.
  for (const style of chart.querySelectorAll("style")) style.remove();
  for (const styled of chart.querySelectorAll("[style]")) styled.removeAttribute("style");
  chart.removeAttribute("style");
  // Plot labels its groups with aria-label, which ARIA prohibits on an element without a role; the chart
  // is one image described by its title, with the same figures in the table beside it.
  for (const labelled of chart.querySelectorAll("[aria-label], [aria-description]")) {
    labelled.removeAttribute("aria-label");
    labelled.removeAttribute("aria-description");
  }
  chart.removeAttribute("aria-description");
  if (!options.keepSize) {
    chart.removeAttribute("width");
    chart.removeAttribute("height");
  }
  // Named twice, as SVG's title and as aria-label: some screen readers read only one of them.
  chart.setAttribute("aria-label", title);
  chart.setAttribute("role", "img");
  chart.setAttribute("focusable", "false");
  if (options.description) {
    const description = document.createElementNS("http://www.w3.org/2000/svg", "desc");
    description.textContent = options.description;
    chart.insertBefore(description, chart.firstChild);
  }
  const titleElement = document.createElementNS("http://www.w3.org/2000/svg", "title");
  titleElement.textContent = title;
  chart.insertBefore(titleElement, chart.firstChild);
  return chart.outerHTML;
};

/**
 * The frame every chart over labelled periods shares (its size, margins, and axes: one point a period,
 * labelled, and a y axis from zero), so trends on different pages read alike.
 */
export const periodFrame = (options: {
  periods: readonly string[];
  yLabel: string;
  className?: string;
  width?: number;
  height?: number;
}) => ({
  className: options.className ?? "hearth-timeline-plot",
  width: options.width ?? 640,
  height: options.height ?? 280,
  marginLeft: 56,
  marginRight: 24,
  marginBottom: 48,
  x: {
    type: "point" as const,
    domain: options.periods.map((_, i) => i),
    tickFormat: (i: number) => options.periods[i] ?? "",
    label: null,
    inset: 16,
  },
  y: { grid: true, label: options.yLabel, zero: true },
});

export type LinePoint = { series: string; label: string; index: number; value: number };

/**
 * A line chart of one or more series over labelled periods (quarters or years).
 * @param points - Each series' known values; unknown values are left out, never drawn as 0.
 * @param options - The chart's title, the periods in order, and the y axis label.
 * @returns SVG markup, or undefined when there is nothing to draw.
 */
export const lineChart = (
  points: readonly LinePoint[],
  options: { title: string; periods: readonly string[]; yLabel: string; className?: string; width?: number },
): string | undefined => {
  if (points.length === 0) return undefined;
  const document = chartDocument();
  const series = [...new Set(points.map((p) => p.series))];
  const chart = Plot.plot({
    document,
    ...periodFrame(options),
    color: { domain: series, range: CHART_PALETTE.slice(0, Math.max(1, series.length)), legend: false },
    marks: [
      Plot.line(points, { x: "index", y: "value", stroke: "series", strokeWidth: 2 }),
      Plot.dot(points, { x: "index", y: "value", fill: "series", r: 4 }),
    ],
  }) as unknown as Element;
  return finishChart(chart, document, options.title);
};
