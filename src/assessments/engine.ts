// SPDX-License-Identifier: MIT
/**
 * The assessment engine's pure rules, with no I/O: which items apply to a child of an age band, how a
 * domain's answers are combined into a suggestion, what level of need the level rules suggest (and
 * which rules fired, in words), and how readings over time compare: distance travelled since the
 * baseline, no improvement after N reviews, and improvement followed by relapse.
 *
 * Every comparison goes through a point's "severity" (0 best, 1 worst) so scales where higher is worse
 * and scales where higher is safer are handled alike.
 */

export {
  type AdviceReadiness,
  adviceReadiness,
  type FiredRule,
  type LevelSuggestion,
  suggestLevel,
  waitingMessage,
} from "./engine/advice.ts";
export {
  type Answer,
  ageBandOn,
  applicableTool,
  descriptorFor,
  findItem,
  itemApplies,
  type Judgement,
  meaningOf,
  pointLabel,
  type Special,
  scaleOf,
  severity,
} from "./engine/answers.ts";
export {
  aggregate,
  type Computed,
  computeResults,
  countScale,
  type DomainResult,
  type ItemResult,
  isOverride,
  type ToolResults,
} from "./engine/results.ts";
export { canonicalNodeIds, domainTrend, type Reading, type Trend, type TrendFlag } from "./engine/trends.ts";
