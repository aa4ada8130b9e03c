// SPDX-License-Identifier: MIT
/**
 * The CIN census return as data, and as XML: writing it in the schema's element order (ISO dates, 0/1
 * booleans, Sex codes), reading it back, and validating it against Hearth's own XSD
 * (data/hearth-cin-census.xsd) with xmllint compiled to WebAssembly. Pure apart from the XSD file read.
 */
import { readFile } from "node:fs/promises";
import { XMLParser } from "fast-xml-parser";
import { create } from "xmlbuilder2";
import { validateXML } from "xmllint-wasm";
import type { IsoDate } from "../kernel/calendar.ts";

export type CinAssessment = {
  start: IsoDate;
  internalReview: IsoDate | null;
  authorised: IsoDate | null;
  factors: string[];
};
export type CinSection47 = {
  start: IsoDate;
  target: IsoDate | null;
  icpc: IsoDate | null;
  notRequired: boolean;
};
export type CinCpPlan = {
  start: IsoDate;
  end: IsoDate | null;
  initialCategory: string;
  latestCategory: string;
  previousPlans: number;
  reviews: IsoDate[];
};
export type CinEpisode = {
  referralDate: IsoDate;
  source: string;
  primaryNeed: string | null;
  closureDate: IsoDate | null;
  closureReason: string | null;
  episodeIcpc: IsoDate | null;
  assessments: CinAssessment[];
  cinPlans: { start: IsoDate; end: IsoDate | null }[];
  section47s: CinSection47[];
  nfa: boolean;
  cpPlans: CinCpPlan[];
};
export type CinChild = {
  laChildId: string;
  upn: string | null;
  formerUpn: string | null;
  upnUnknown: string | null;
  birthDate: IsoDate | null;
  expectedBirthDate: IsoDate | null;
  sex: string;
  deathDate: IsoDate | null;
  ethnicity: string;
  disabilities: string[];
  episodes: CinEpisode[];
};
export type CinHeader = {
  year: number;
  referenceDate: IsoDate;
  lea: string;
  softwareCode: string;
  release: string;
  serialNo: string;
  dateTime: string;
};
export type CinReturn = { header: CinHeader; children: CinChild[] };

const XSD_PATH = new URL("./data/hearth-cin-census.xsd", import.meta.url);

/**
 * Writes the return as XML in the schema's order: inside CINdetails, ReferralNFA comes after Section47
 * and before ChildProtectionPlans.
 */
export const buildCinXml = (data: CinReturn): string => {
  const doc = create({ version: "1.0", encoding: "UTF-8" });
  const message = doc.ele("Message");
  const header = message.ele("Header");
  const details = header.ele("CollectionDetails");
  details.ele("Collection").txt("CIN");
  details.ele("Year").txt(String(data.header.year));
  details.ele("ReferenceDate").txt(data.header.referenceDate);
  const source = header.ele("Source");
  source.ele("SourceLevel").txt("L");
  source.ele("LEA").txt(data.header.lea);
  source.ele("SoftwareCode").txt(data.header.softwareCode);
  source.ele("Release").txt(data.header.release);
  source.ele("SerialNo").txt(data.header.serialNo);
  source.ele("DateTime").txt(data.header.dateTime);
  const children = message.ele("Children");
  const opt = (parent: ReturnType<typeof message.ele>, name: string, value: string | null) => {
    if (value !== null && value !== "") parent.ele(name).txt(value);
  };
  for (const c of data.children) {
    const child = children.ele("Child");
    const ids = child.ele("ChildIdentifiers");
    ids.ele("LAchildID").txt(c.laChildId);
    opt(ids, "UPN", c.upn);
    opt(ids, "FormerUPN", c.formerUpn);
    opt(ids, "UPNunknown", c.upnUnknown);
    opt(ids, "PersonBirthDate", c.birthDate);
    opt(ids, "ExpectedPersonBirthDate", c.expectedBirthDate);
    ids.ele("Sex").txt(c.sex);
    opt(ids, "PersonDeathDate", c.deathDate);
    const characteristics = child.ele("ChildCharacteristics");
    characteristics.ele("Ethnicity").txt(c.ethnicity);
    if (c.disabilities.length > 0) {
      const list = characteristics.ele("Disabilities");
      for (const d of c.disabilities) list.ele("Disability").txt(d);
    }
    for (const e of c.episodes) {
      const episode = child.ele("CINdetails");
      episode.ele("CINreferralDate").txt(e.referralDate);
      episode.ele("ReferralSource").txt(e.source);
      opt(episode, "PrimaryNeedCode", e.primaryNeed);
      opt(episode, "CINclosureDate", e.closureDate);
      opt(episode, "ReasonForClosure", e.closureReason);
      opt(episode, "DateOfInitialCPC", e.episodeIcpc);
      for (const a of e.assessments) {
        const assessment = episode.ele("Assessments");
        assessment.ele("AssessmentActualStartDate").txt(a.start);
        opt(assessment, "AssessmentInternalReviewDate", a.internalReview);
        opt(assessment, "AssessmentAuthorisationDate", a.authorised);
        if (a.factors.length > 0) {
          const factors = assessment.ele("FactorsIdentifiedAtAssessment");
          for (const f of a.factors) factors.ele("AssessmentFactors").txt(f);
        }
      }
      for (const p of e.cinPlans) {
        const plan = episode.ele("CINPlanDates");
        plan.ele("CINPlanStartDate").txt(p.start);
        opt(plan, "CINPlanEndDate", p.end);
      }
      for (const s of e.section47s) {
        const s47 = episode.ele("Section47");
        s47.ele("S47ActualStartDate").txt(s.start);
        opt(s47, "InitialCPCtarget", s.target);
        opt(s47, "DateOfInitialCPC", s.icpc);
        s47.ele("ICPCnotRequired").txt(s.notRequired ? "1" : "0");
      }
      episode.ele("ReferralNFA").txt(e.nfa ? "1" : "0");
      for (const p of e.cpPlans) {
        const plan = episode.ele("ChildProtectionPlans");
        plan.ele("CPPstartDate").txt(p.start);
        opt(plan, "CPPendDate", p.end);
        plan.ele("InitialCategoryOfAbuse").txt(p.initialCategory);
        plan.ele("LatestCategoryOfAbuse").txt(p.latestCategory);
        plan.ele("NumberOfPreviousCPP").txt(String(p.previousPlans));
        if (p.reviews.length > 0) {
          const reviews = plan.ele("Reviews");
          for (const r of p.reviews) reviews.ele("CPPreviewDate").txt(r);
        }
      }
    }
  }
  return doc.end({ prettyPrint: true });
};

/** A structural problem, by line where xmllint gives one. */
export type XsdProblem = { line: number | null; message: string };

/**
 * Validates XML against Hearth's CIN census XSD.
 * @returns The problems; empty when the file is valid.
 */
export const validateCinXml = async (xml: string): Promise<XsdProblem[]> => {
  const schema = await readFile(XSD_PATH, "utf8");
  const pages = Math.min(65536, Math.max(256, Math.ceil((xml.length * 12) / 65536)));
  const result = await validateXML({
    xml: [{ fileName: "return.xml", contents: xml }],
    schema: [{ fileName: "hearth-cin-census.xsd", contents: schema }],
    maxMemoryPages: pages,
    initialMemoryPages: Math.min(pages, 4096),
  });
  return result.errors.map((error) => ({
    line: error.loc?.lineNumber ?? null,
    message: error.message.trim(),
  }));
};

type Node = Record<string, unknown>;
const REPEATED = new Set([
  "Child",
  "Disability",
  "CINdetails",
  "Assessments",
  "AssessmentFactors",
  "CINPlanDates",
  "Section47",
  "ChildProtectionPlans",
  "CPPreviewDate",
]);

const str = (node: Node | undefined, key: string): string | null => {
  const value = node?.[key];
  if (value === undefined || value === null || value === "") return null;
  return String(value).trim();
};
const list = (node: Node | undefined, key: string): Node[] => {
  const value = node?.[key];
  return Array.isArray(value) ? (value as Node[]) : [];
};
const strings = (node: Node | undefined, key: string): string[] => {
  const value = node?.[key];
  return Array.isArray(value) ? value.map((v) => String(v).trim()) : [];
};
const bool = (value: string | null) => value === "1" || value?.toLowerCase() === "true";

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const decode = (text: string) =>
  text.includes("&")
    ? text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) =>
        ref.startsWith("#x")
          ? String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
          : ref.startsWith("#")
            ? String.fromCodePoint(Number.parseInt(ref.slice(1), 10))
            : (ENTITIES[ref] ?? whole),
      )
    : text;

/**
 * The tree fast-xml-parser gives with the options below, built by one pass over the tags: several times
 * faster on a large return, whose elements hold only text or elements. A file with comments, CDATA or a
 * DOCTYPE (`<!`), or whose tags do not nest, gets undefined, and the general parser reads it instead.
 */
const plainTree = (xml: string): Node | undefined => {
  if (xml.includes("<!")) return undefined;
  type Open = { name: string; node: Node; text: string; elements: boolean };
  const stack: Open[] = [{ name: "", node: {}, text: "", elements: false }];
  const add = (node: Node, name: string, value: unknown) => {
    const list = node[name];
    if (!REPEATED.has(name)) node[name] = value;
    else if (Array.isArray(list)) list.push(value);
    else node[name] = [value];
  };
  let at = 0;
  for (;;) {
    const lt = xml.indexOf("<", at);
    const top = stack[stack.length - 1];
    if (!top) return undefined;
    if (lt < 0) break;
    if (lt > at && !top.elements) top.text += xml.slice(at, lt);
    const gt = xml.indexOf(">", lt);
    if (gt < 0) return undefined;
    const tag = xml.slice(lt + 1, gt);
    at = gt + 1;
    if (tag.startsWith("?")) continue;
    if (tag.includes('"') || tag.includes("'")) {
      // Attributes (the root's namespace) are ignored; a quoted ">" would have cut the tag short.
      if ((tag.match(/["']/g)?.length ?? 0) % 2 !== 0) return undefined;
    }
    if (tag.startsWith("/")) {
      const done = stack.pop();
      const parent = stack[stack.length - 1];
      if (!done || !parent || done.name !== tag.slice(1).trim()) return undefined;
      add(parent.node, done.name, done.elements ? done.node : decode(done.text.trim()));
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const name = (selfClosing ? tag.slice(0, -1) : tag).trim().split(/\s/, 1)[0] ?? "";
    top.elements = true;
    if (selfClosing) add(top.node, name, "");
    else stack.push({ name, node: {}, text: "", elements: false });
  }
  return stack.length === 1 ? stack[0]?.node : undefined;
};

/**
 * Reads a return that has passed the XSD into data. Everything is read as text, so codes such as "4" or
 * "10" and dates keep their form.
 */
export const parseCinXml = (xml: string, options: { general?: boolean } = {}): CinReturn => {
  const root =
    (options.general ? undefined : plainTree(xml)) ??
    (new XMLParser({
      ignoreAttributes: true,
      parseTagValue: false,
      trimValues: true,
      isArray: (name) => REPEATED.has(name),
    }).parse(xml) as Node);
  const message = root.Message as Node;
  const header = message.Header as Node;
  const details = header.CollectionDetails as Node;
  const source = header.Source as Node;
  const children = list(message.Children as Node, "Child");
  return {
    header: {
      year: Number(str(details, "Year")),
      referenceDate: str(details, "ReferenceDate") ?? "",
      lea: str(source, "LEA") ?? "",
      softwareCode: str(source, "SoftwareCode") ?? "",
      release: str(source, "Release") ?? "",
      serialNo: str(source, "SerialNo") ?? "",
      dateTime: str(source, "DateTime") ?? "",
    },
    children: children.map((child) => {
      const ids = child.ChildIdentifiers as Node;
      const characteristics = child.ChildCharacteristics as Node;
      return {
        laChildId: str(ids, "LAchildID") ?? "",
        upn: str(ids, "UPN"),
        formerUpn: str(ids, "FormerUPN"),
        upnUnknown: str(ids, "UPNunknown"),
        birthDate: str(ids, "PersonBirthDate"),
        expectedBirthDate: str(ids, "ExpectedPersonBirthDate"),
        sex: str(ids, "Sex") ?? "",
        deathDate: str(ids, "PersonDeathDate"),
        ethnicity: str(characteristics, "Ethnicity") ?? "",
        disabilities: strings(characteristics?.Disabilities as Node | undefined, "Disability"),
        episodes: list(child, "CINdetails").map((e) => ({
          referralDate: str(e, "CINreferralDate") ?? "",
          source: str(e, "ReferralSource") ?? "",
          primaryNeed: str(e, "PrimaryNeedCode"),
          closureDate: str(e, "CINclosureDate"),
          closureReason: str(e, "ReasonForClosure"),
          episodeIcpc: str(e, "DateOfInitialCPC"),
          assessments: list(e, "Assessments").map((a) => ({
            start: str(a, "AssessmentActualStartDate") ?? "",
            internalReview: str(a, "AssessmentInternalReviewDate"),
            authorised: str(a, "AssessmentAuthorisationDate"),
            factors: strings(a.FactorsIdentifiedAtAssessment as Node | undefined, "AssessmentFactors"),
          })),
          cinPlans: list(e, "CINPlanDates").map((p) => ({
            start: str(p, "CINPlanStartDate") ?? "",
            end: str(p, "CINPlanEndDate"),
          })),
          section47s: list(e, "Section47").map((s) => ({
            start: str(s, "S47ActualStartDate") ?? "",
            target: str(s, "InitialCPCtarget"),
            icpc: str(s, "DateOfInitialCPC"),
            notRequired: bool(str(s, "ICPCnotRequired")),
          })),
          nfa: bool(str(e, "ReferralNFA")),
          cpPlans: list(e, "ChildProtectionPlans").map((p) => ({
            start: str(p, "CPPstartDate") ?? "",
            end: str(p, "CPPendDate"),
            initialCategory: str(p, "InitialCategoryOfAbuse") ?? "",
            latestCategory: str(p, "LatestCategoryOfAbuse") ?? "",
            previousPlans: Number(str(p, "NumberOfPreviousCPP") ?? "0"),
            reviews: strings(p.Reviews as Node | undefined, "CPPreviewDate"),
          })),
        })),
      };
    }),
  };
};
