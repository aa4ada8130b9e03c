// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { paginationFor } from "./pagination.ts";

const href = (n: number) => `/list?page=${n}`;
const numbers = (page: number, count: number) =>
  paginationFor(page, count, href).items.map((i) =>
    "ellipsis" in i ? "…" : i.current ? `[${i.number}]` : i.number,
  );

describe("paginationFor", () => {
  it("gives nothing for a single page", () => {
    assert.deepEqual(paginationFor(1, 1, href), { items: [] });
    assert.deepEqual(paginationFor(1, 0, href), { items: [] });
  });

  it("links the first, last, current and neighbouring pages, with ellipses for gaps", () => {
    assert.deepEqual(numbers(1, 2), ["[1]", 2]);
    assert.deepEqual(numbers(1, 10), ["[1]", 2, "…", 10]);
    assert.deepEqual(numbers(5, 10), [1, "…", 4, "[5]", 6, "…", 10]);
    assert.deepEqual(numbers(10, 10), [1, "…", 9, "[10]"]);
    assert.deepEqual(numbers(3, 5), [1, 2, "[3]", 4, 5]);
  });

  it("has a previous link except on the first page and a next link except on the last", () => {
    assert.deepEqual(paginationFor(1, 3, href).previous, undefined);
    assert.deepEqual(paginationFor(1, 3, href).next, { href: "/list?page=2" });
    assert.deepEqual(paginationFor(3, 3, href).previous, { href: "/list?page=2" });
    assert.deepEqual(paginationFor(3, 3, href).next, undefined);
  });
});
