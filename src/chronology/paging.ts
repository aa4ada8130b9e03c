// SPDX-License-Identifier: MIT
/**
 * The GOV.UK pagination component's parameters for a list paged on the server: links only, so paging
 * works without JavaScript. Pure: no I/O.
 */

export type PaginationParams = {
  previous?: { href: string };
  next?: { href: string };
  items: ({ number: string; href: string; current?: boolean } | { ellipsis: true })[];
  /** "Showing 51 to 100 of 5,000 entries", or "" when nothing is shown. */
  summary: string;
};

const hrefFor = (path: string, query: Record<string, string | undefined>, page: number): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

/**
 * @param path - The list's address.
 * @param query - The filters to keep on every link.
 * @param page - The page shown (1-based, already within range).
 * @param total - How many items match.
 * @param perPage - Items per page.
 * @returns The component's parameters; `items` is empty when everything fits on one page.
 */
export const pagination = (
  path: string,
  query: Record<string, string | undefined>,
  page: number,
  total: number,
  perPage: number,
): PaginationParams => {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const first = (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  const noun = total === 1 ? "entry" : "entries";
  const summary =
    total === 0
      ? ""
      : pages === 1
        ? `Showing ${total.toLocaleString("en-GB")} ${noun}`
        : `Showing ${first.toLocaleString("en-GB")} to ${last.toLocaleString("en-GB")} of ${total.toLocaleString("en-GB")} ${noun}`;
  if (pages === 1) return { items: [], summary };
  // The first, the last, and the pages either side of the current one; gaps become an ellipsis.
  const shown = [...new Set([1, page - 1, page, page + 1, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  const items: PaginationParams["items"] = [];
  let before = 0;
  for (const n of shown) {
    if (n - before > 1) items.push({ ellipsis: true });
    items.push({
      number: String(n),
      href: hrefFor(path, query, n),
      ...(n === page ? { current: true } : {}),
    });
    before = n;
  }
  return {
    ...(page > 1 ? { previous: { href: hrefFor(path, query, page - 1) } } : {}),
    ...(page < pages ? { next: { href: hrefFor(path, query, page + 1) } } : {}),
    items,
    summary,
  };
};
