// SPDX-License-Identifier: MIT
/**
 * Small-number suppression, as DfE publishes: a count from 1 to 4 in a breakdown, a split or a
 * comparison is shown as "fewer than 5", and a share or ratio made from such a count is not shown, so a
 * child cannot be picked out of a table. Totals are shown as counted. Pure.
 */

/** Counts below this (and above 0) are not shown. */
export const SMALL_NUMBER = 5;

export const FEWER_THAN = "fewer than 5";

/** Whether a count is too small to show. */
export const isSmall = (n: number | null | undefined): boolean =>
  n !== null && n !== undefined && n > 0 && n < SMALL_NUMBER;

/** A count as a table shows it: "fewer than 5" for 1 to 4. */
export const countText = (n: number | null | undefined): string =>
  n === null || n === undefined ? "" : isSmall(n) ? FEWER_THAN : n.toLocaleString("en-GB");

/** A count for a spreadsheet cell: the number, or the words for 1 to 4. */
export const countCell = (n: number | null | undefined): number | string | null =>
  n === null || n === undefined ? null : isSmall(n) ? FEWER_THAN : n;
