// SPDX-License-Identifier: MIT
/**
 * Nunjucks' variable frames with each name's parts kept: templates render exactly as with Nunjucks' own
 * `set` (loop variables, `set` inside loops and macros, dotted names, a GOV.UK table), and faster.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import nunjucks from "nunjucks";
import { keepFrameNameParts } from "./nunjucks-frames.ts";
import { GOVUK_FRONTEND_DIST } from "./views.ts";

const TEMPLATE = `{% from "govuk/components/table/macro.njk" import govukTable %}
{%- macro cell(value, n) %}{% set shown = value ~ "/" ~ n %}<b>{{ shown }}</b>{% endmacro -%}
{% set total = 0 %}{% set seen = { count: 0 } %}
{% for row in rows %}{% set total = total + row.n %}{% set last = row.name %}
{{ loop.index }}/{{ loop.length }} {{ loop.first }} {{ loop.last }} {{ cell(row.name, loop.revindex0) }}
{% for inner in row.tags %}{{ loop.index0 }}:{{ inner }}{% set innerLast = inner %}{% endfor %}[{{ innerLast }}]
{% endfor %}total {{ total }} last {{ last }} {{ seen.count }}
{{ govukTable({ head: [{ text: "Name" }, { text: "N" }], rows: tableRows }) }}`;

const context = {
  rows: [
    { name: "Amira", n: 2, tags: ["a", "b"] },
    { name: "<Ben>", n: 5, tags: [] },
    { name: "Cai", n: 1, tags: ["c"] },
  ],
  tableRows: [
    [{ text: "Amira" }, { text: "2" }],
    [{ html: "<i>Ben</i>" }, { text: "5" }],
  ],
};

const render = () =>
  new nunjucks.Environment(new nunjucks.FileSystemLoader(GOVUK_FRONTEND_DIST), {
    autoescape: true,
  }).renderString(TEMPLATE, context);

describe("Nunjucks frames with kept name parts", () => {
  it("render exactly as Nunjucks' own set does", () => {
    const Frame = (nunjucks.runtime as unknown as { Frame: { prototype: { set: unknown } } }).Frame;
    const own = Frame.prototype.set;
    const before = render();
    keepFrameNameParts();
    try {
      assert.notEqual(Frame.prototype.set, own, "the kept-parts set is in place");
      assert.equal(render(), before);
      assert.equal(render(), before, "and again, from the kept parts");
      assert.match(before, /1\/3 true false <b>Amira\/2<\/b>/);
      assert.match(before, /&lt;Ben&gt;/);
      assert.match(before, /govuk-table/);
    } finally {
      Frame.prototype.set = own;
    }
  });
});
