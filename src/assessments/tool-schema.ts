// SPDX-License-Identifier: MIT
/**
 * A neglect tool as data: the YAML file format, validated with Zod, with every problem reported at its
 * path in the file (`sections[1].domains[0].items[3].scale: unknown scale "s7"`). A file becomes a
 * normalised {@link ToolContent} (scales' points spelt out, defaults filled in) and a content hash, which
 * is what a published version stores and never changes.
 *
 * The shape: a tool has scales, then sections of domains of items. Items are answered on a scale; each
 * domain (and, if asked, each section) has an aggregation rule; level rules suggest a level of need.
 */

export {
  type Aggregation,
  type Domain,
  formatPath,
  type Item,
  type LevelCondition,
  type Scale,
  type ScalePoint,
  type Section,
  type ToolContent,
  type ToolFile,
  type ToolParseResult,
} from "./tool-file.ts";
export { contentHash, validateTool } from "./tool-validation.ts";
export { parseToolYaml } from "./tool-yaml.ts";
