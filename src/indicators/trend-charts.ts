// SPDX-License-Identifier: MIT
/**
 * The indicators' charts, drawn with Observable Plot on the server (src/web/charts.ts makes them safe
 * for the CSP and one image to assistive technology). Every chart uses the same four series in the same
 * colours and line styles, so a reader learns them once: Hearth's own figure, England, the region and
 * the statistical neighbours' median. The legend is HTML beside the chart, and a table of the same
 * figures always goes with it.
 */
import * as Plot from "@observablehq/plot";
import { chartDocument, finishChart, periodFrame } from "../web/charts.ts";

export type SeriesKey = "hearth" | "england" | "region" | "neighbours";

/** Fixed colours (GOV.UK palette, distinguishable on white) and dash patterns, by series. */
export const SERIES: Record<
  SeriesKey,
  { label: string; colour: string; dash: string | null; symbol: string }
> = {
  hearth: { label: "This partnership (Hearth)", colour: "#1d70b8", dash: null, symbol: "circle" },
  england: { label: "England", colour: "#0b0c0c", dash: "6 3", symbol: "square" },
  region: { label: "Region", colour: "#d4351c", dash: "2 3", symbol: "triangle" },
  neighbours: {
    label: "Statistical neighbours (median)",
    colour: "#00703c",
    dash: "10 3 2 3",
    symbol: "diamond",
  },
};

export const SERIES_ORDER: SeriesKey[] = ["hearth", "england", "region", "neighbours"];

export type TrendPoint = { series: SeriesKey; index: number; value: number };

export type Legend = { key: SeriesKey; label: string; colour: string; dash: string | null }[];

/**
 * A trend chart of up to four series over labelled periods.
 * @param points - Known values only; an unknown value is left out, never drawn as 0.
 * @returns The SVG and the legend of the series drawn, or undefined when there is nothing to draw.
 */
export const trendChart = (
  points: readonly TrendPoint[],
  options: { title: string; periods: readonly string[]; yLabel: string; width?: number; height?: number },
): { svg: string; legend: Legend } | undefined => {
  if (points.length === 0) return undefined;
  const document = chartDocument();
  const present = SERIES_ORDER.filter((key) => points.some((p) => p.series === key));
  const marks = present.flatMap((key) => {
    const data = points.filter((p) => p.series === key);
    const style = SERIES[key];
    return [
      Plot.line(data, {
        x: "index",
        y: "value",
        stroke: style.colour,
        strokeWidth: key === "hearth" ? 3 : 2,
        ...(style.dash ? { strokeDasharray: style.dash } : {}),
      }),
      Plot.dot(data, {
        x: "index",
        y: "value",
        fill: style.colour,
        symbol: style.symbol,
        r: key === "hearth" ? 4.5 : 3.5,
      }),
    ];
  });
  const chart = Plot.plot({
    document,
    ...periodFrame(options),
    marks,
  }) as unknown as Element;
  return {
    svg: finishChart(chart, document, options.title),
    legend: present.map((key) => ({ key, ...SERIES[key] })),
  };
};

/**
 * A sparkline: the last few values of Hearth's own figure, no axes, for the dashboard.
 * @param values - Oldest first; null where not known.
 * @param title - The accessible name, which says what the line shows.
 */
export const sparkline = (values: readonly (number | null)[], title: string): string | undefined => {
  const data = values.flatMap((value, index) => (value === null ? [] : [{ index, value }]));
  if (data.length < 2) return undefined;
  const document = chartDocument();
  const chart = Plot.plot({
    document,
    className: "hearth-sparkline",
    width: 120,
    height: 32,
    margin: 4,
    axis: null,
    x: { type: "point", domain: values.map((_, i) => i) },
    y: { zero: false, domain: sparkDomain(data.map((d) => d.value)) },
    marks: [
      Plot.line(data, { x: "index", y: "value", stroke: SERIES.hearth.colour, strokeWidth: 2 }),
      Plot.dot(data.slice(-1), { x: "index", y: "value", fill: SERIES.hearth.colour, r: 2.5 }),
    ],
  }) as unknown as Element;
  return finishChart(chart, document, title);
};

const sparkDomain = (values: number[]): [number, number] => {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? [min - 1, max + 1] : [min, max];
};

export type Direction = { arrow: "up" | "down" | "same"; text: string; judgement: "better" | "worse" | null };

/**
 * Direction of travel from one figure to the next, and whether that is better or worse.
 * @returns undefined when either is not known.
 */
export const directionOf = (
  higherIsBetter: boolean | null,
  previous: number | null,
  latest: number | null,
  unitWord: string,
): Direction | undefined => {
  if (previous === null || latest === null) return undefined;
  const change = Math.round((latest - previous) * 10) / 10;
  if (change === 0) return { arrow: "same", text: "No change", judgement: null };
  const up = change > 0;
  const size = Math.abs(change).toLocaleString("en-GB", { maximumFractionDigits: 1 });
  return {
    arrow: up ? "up" : "down",
    text: `${up ? "Up" : "Down"} ${size}${unitWord}`,
    judgement: higherIsBetter === null ? null : up === higherIsBetter ? "better" : "worse",
  };
};
