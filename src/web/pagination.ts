// SPDX-License-Identifier: MIT
/** The arguments of GOV.UK Frontend's pagination component for a numbered list of pages. */

export type PaginationLink = { href: string };
export type PaginationItem = { number: number; href: string; current: boolean } | { ellipsis: true };
export type Pagination = { previous?: PaginationLink; next?: PaginationLink; items: PaginationItem[] };

/**
 * The first and last pages, the current page and its neighbours, with an ellipsis for each gap (as the
 * Design System advises for long lists).
 * @param page - The current page, from 1.
 * @param pageCount - How many pages there are; 1 or fewer gives no links at all.
 * @param hrefFor - The link to a page.
 */
export const paginationFor = (
  page: number,
  pageCount: number,
  hrefFor: (page: number) => string,
): Pagination => {
  if (pageCount <= 1) return { items: [] };
  const shown = [...new Set([1, page - 1, page, page + 1, pageCount])]
    .filter((n) => n >= 1 && n <= pageCount)
    .sort((a, b) => a - b);
  const items: PaginationItem[] = [];
  for (const [index, number] of shown.entries()) {
    const before = shown[index - 1];
    if (before !== undefined && number - before > 1) items.push({ ellipsis: true });
    items.push({ number, href: hrefFor(number), current: number === page });
  }
  return {
    ...(page > 1 ? { previous: { href: hrefFor(page - 1) } } : {}),
    ...(page < pageCount ? { next: { href: hrefFor(page + 1) } } : {}),
    items,
  };
};
