// SPDX-License-Identifier: MIT
/**
 * A child's level of need, derived (never stored) in one pure function, so the child's record, the
 * pathway page, the request page and "what is already known" always say the same thing. The level is the
 * latest decision about it (a recorded level decision, or what a front-door outcome, a social care
 * closure or an early help ending implies), raised to what the child's open services mean now: open
 * early help is at least an early help level, an open child in need or child protection plan is the
 * statutory level. Levels are the partnership's ordered list; which ones are "early help" and
 * "statutory" is read from their position, so a partnership's own list (from settings) works unchanged.
 */

import type { IsoDate } from "../kernel/calendar.ts";
import type { ClosureReason, EarlyHelpEnding, FrontDoorOutcome } from "./codes.ts";

export type LevelOption = { code: string; name: string; description: string; pathway: string };

/** Something that decided, or implied, the child's level on a day. */
export type LevelEvent =
  | { kind: "level-decision"; on: IsoDate; level: string }
  | { kind: "front-door"; on: IsoDate; outcome: FrontDoorOutcome }
  | { kind: "closure"; on: IsoDate; reason: ClosureReason | null }
  | { kind: "early-help-ended"; on: IsoDate; ending: EarlyHelpEnding };

export type LevelFacts = {
  events: readonly LevelEvent[];
  /** Open early help: an episode in Hearth with a team around the family, or only an early help agency's involvement. */
  openEarlyHelp: { since: IsoDate; withTeam: boolean } | null;
  openCinPlanSince: IsoDate | null;
  openCpPlanSince: IsoDate | null;
};

export type DerivedLevel = {
  code: string;
  /** Why, in words: the decision or the open service that sets it. */
  basis: string;
  since: IsoDate;
};

/** The level an outcome, closure or ending implies, by position in the partnership's list. */
const impliedIndex = (event: LevelEvent, count: number): number | null => {
  const last = count - 1;
  const earlyHelp = Math.max(0, count - 2);
  switch (event.kind) {
    case "level-decision":
      return null;
    case "front-door":
      if (event.outcome === "s17" || event.outcome === "s47") return last;
      if (event.outcome === "early-help") return earlyHelp;
      return 0;
    case "closure":
      return event.reason === "RC9" ? earlyHelp : 0;
    case "early-help-ended":
      // A step-up goes to the front door, whose decision sets the level; until then it stays as it was.
      return event.ending === "step-up" ? null : 0;
  }
};

const BASIS: Record<LevelEvent["kind"], string> = {
  "level-decision": "Level of need decision",
  "front-door": "Front-door decision",
  closure: "Social care case closed",
  "early-help-ended": "Early help ended",
};

/** Event order on one day: a closure or ending is overtaken by a decision made the same day. */
const rank = (kind: LevelEvent["kind"]) => (kind === "closure" || kind === "early-help-ended" ? 0 : 1);

/**
 * The child's level of need now.
 * @param facts - The child's level events and open services.
 * @param levels - The partnership's levels, lowest first.
 * @returns The level with its basis, or null when nothing has decided or implied one.
 */
export const deriveLevelOfNeed = (facts: LevelFacts, levels: readonly LevelOption[]): DerivedLevel | null => {
  if (levels.length === 0) return null;
  const position = (code: string) => levels.findIndex((l) => l.code === code);
  let current: DerivedLevel | null = null;
  const ordered = [...facts.events].sort((a, b) =>
    a.on < b.on ? -1 : a.on > b.on ? 1 : rank(a.kind) - rank(b.kind),
  );
  for (const event of ordered) {
    const index = impliedIndex(event, levels.length);
    const code = event.kind === "level-decision" ? event.level : index === null ? null : levels[index]?.code;
    if (code) current = { code, basis: BASIS[event.kind], since: event.on };
  }
  const raise = (index: number, basis: string, since: IsoDate) => {
    const floor = levels[Math.min(index, levels.length - 1)];
    if (!floor) return;
    // On a tie the open service is named: it is today's fact, a decision only its record.
    if (current === null || position(current.code) <= position(floor.code))
      current = { code: floor.code, basis, since };
  };
  if (facts.openEarlyHelp)
    raise(
      facts.openEarlyHelp.withTeam ? Math.max(0, levels.length - 2) : Math.min(1, levels.length - 1),
      facts.openEarlyHelp.withTeam ? "Open early help with a team around the family" : "Open early help",
      facts.openEarlyHelp.since,
    );
  if (facts.openCinPlanSince) raise(levels.length - 1, "Open child in need plan", facts.openCinPlanSince);
  if (facts.openCpPlanSince) raise(levels.length - 1, "Open child protection plan", facts.openCpPlanSince);
  return current;
};

/**
 * A level's name and description for pages. The one lookup, so the names can come from settings later.
 * @returns The level, or a stand-in naming the code when the list no longer has it.
 */
export const describeLevel = (code: string | null | undefined, levels: readonly LevelOption[]) => {
  if (!code) return null;
  return (
    levels.find((l) => l.code === code) ?? {
      code,
      name: code.charAt(0).toUpperCase() + code.slice(1).replace(/-/g, " "),
      description: "",
      pathway: "",
    }
  );
};
