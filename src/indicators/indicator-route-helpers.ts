// SPDX-License-Identifier: MIT
/** What the indicator pages share: who may read them, reading a period from a query, and a figure in words. */
import { z } from "zod";
import { requireAllowed } from "../web/guards.ts";
import type { Indicator } from "./registry.ts";

export const READERS = requireAllowed("indicators.read");
export const BOARD = requireAllowed("board.report");

/** An optional query value: an empty field counts as absent. */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());
export const ZPeriodKey = z.string().regex(/^\d{4}(-Q[1-4])?$/);

/** A figure in words for tables: "12.5%", "3", "4.2 per 10,000", "6.1 months"; "Not known" when null. */
export const formatFigure = (indicator: Pick<Indicator, "unit">, value: number | null): string => {
  if (value === null) return "Not known";
  const n = value.toLocaleString("en-GB", { maximumFractionDigits: 1 });
  switch (indicator.unit) {
    case "percent":
      return `${n}%`;
    case "rate":
      return `${n} per 10,000`;
    case "months":
      return `${n} months`;
    case "points":
      return `${n} points`;
    case "count":
      return n;
  }
};
