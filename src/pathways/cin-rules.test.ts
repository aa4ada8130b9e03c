// SPDX-License-Identifier: MIT
/**
 * The CIN census return (the rules are tested in cin-rules/rules.test.ts): the XML written in
 * the schema's order and valid against Hearth's XSD, read back unchanged, and malformed files refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CIN_HEADER, validCinChild } from "../test-support/cin-return.ts";
import { buildCinXml, type CinReturn, parseCinXml, validateCinXml } from "./cin-xml.ts";

const header = CIN_HEADER;
const validChild = validCinChild;

describe("the XML", () => {
  const data: CinReturn = { header, children: [validChild()] };

  it("is written in the schema's element order with 0/1 booleans and passes the XSD", async () => {
    const xml = buildCinXml(data);
    assert.ok(xml.indexOf("<Section47>") < xml.indexOf("<ReferralNFA>"));
    assert.ok(xml.indexOf("<ReferralNFA>0</ReferralNFA>") < xml.indexOf("<ChildProtectionPlans>"));
    assert.match(xml, /<ICPCnotRequired>0<\/ICPCnotRequired>/);
    assert.match(xml, /<Sex>F<\/Sex>/);
    assert.deepEqual(await validateCinXml(xml), []);
  });

  it("reads back to the same data", () => {
    assert.deepEqual(parseCinXml(buildCinXml(data)), data);
  });

  it("reads a large return's tags in one pass as the general XML parser reads them", () => {
    const two: CinReturn = {
      header,
      children: [validChild(), { ...validChild(), laChildId: "HC0002", disabilities: ["LD", "COMM"] }],
    };
    const xml = buildCinXml(two)
      .replace("<LAchildID>HC0002", "<LAchildID>\n  HC0002 ")
      .replace("</Source>", "</Source >")
      .replace("<SoftwareCode>Hearth", "<SoftwareCode>Hearth &amp; &lt;co&gt;")
      .replace("<Reviews>", '<Reviews kind="a">');
    const plain = parseCinXml(xml);
    assert.deepEqual(plain, parseCinXml(xml, { general: true }));
    assert.equal(plain.header.softwareCode, "Hearth & <co>");
    assert.deepEqual(
      plain.children.map((c) => c.laChildId),
      ["HC0001", "HC0002"],
    );
    assert.deepEqual(plain.children[1]?.disabilities, ["LD", "COMM"]);
    // Comments, CDATA and a DOCTYPE go to the general parser.
    const commented = xml.replace("<Children>", "<Children><!-- <Child> -->");
    assert.deepEqual(parseCinXml(commented), parseCinXml(commented, { general: true }));
    // So does a quoted ">" in an attribute, which would cut a tag short.
    const quoted = xml.replace('<Reviews kind="a">', '<Reviews kind="a>b">');
    assert.deepEqual(parseCinXml(quoted), parseCinXml(quoted, { general: true }));
  });

  it("refuses a file with elements out of order, a bad code or no closing tag", async () => {
    const xml = buildCinXml(data);
    const swapped = xml
      .replace(/(\s*<ReferralNFA>0<\/ReferralNFA>)/, "")
      .replace("<Section47>", "<ReferralNFA>0</ReferralNFA><Section47>");
    assert.ok((await validateCinXml(swapped)).length > 0);
    assert.ok((await validateCinXml(xml.replace("<Sex>F</Sex>", "<Sex>2</Sex>"))).length > 0);
    assert.ok((await validateCinXml(xml.replace("</Message>", ""))).length > 0);
  });
});
