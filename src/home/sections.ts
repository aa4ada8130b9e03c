// SPDX-License-Identifier: MIT
/**
 * The home page is the worklist: a list of sections, each a small builder that reads through the
 * request's repository and says which roles see it. A section with nothing in it still shows (so the
 * user knows it is empty), unless its builder returns undefined.
 *
 * EXTENSION POINT: other areas add their own worklist sections by pushing to {@link HOME_SECTIONS}
 * (e.g. the plans area's "authorisations waiting", placed with `position` after "sign-offs"). A
 * section's template is a Nunjucks partial that renders `section.data` under an h2 of `section.title`.
 */

import type { Repository } from "../data/repository.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import type { Role } from "../organisation/codes.ts";
import { groupAlerts } from "../pathways/alert-groups.ts";
import { ESCALATION_STAGES } from "../pathways/escalation.ts";
import { DUE_KINDS } from "./due.ts";

export type HomeSection = {
  /** A stable id: the section's element id on the page, and where others are placed. */
  id: string;
  title: string;
  roles: readonly Role[];
  /** Lower comes first. */
  position: number;
  /** Reads what the section shows; undefined hides the section. */
  load: (repo: Repository) => Promise<Record<string, unknown> | undefined>;
  /** The partial that renders it, given `section` ({ id, title, data }). */
  template: string;
};

/** The notices to acknowledge shown (at most): both notification sections read this many, once a request. */
const OUTSTANDING_READ = 50;
/** The newest outstanding notifications the notifications section considers. */
const NEWEST_SHOWN = 10;

const CASEWORK: Role[] = ["practitioner", "manager", "safeguarding-lead", "front-door"];

export const HOME_SECTIONS: HomeSection[] = [
  {
    id: "to-acknowledge",
    title: "Notices to acknowledge",
    roles: [...CASEWORK],
    position: 10,
    load: async (repo) => {
      const notices = (await repo.notifications.outstanding(OUTSTANDING_READ)).filter(
        (n) => n.mustAcknowledge,
      );
      // Shown only when there is something: most people are never sent one.
      return notices.length ? { notices } : undefined;
    },
    template: "home/views/sections/to-acknowledge.njk",
  },
  {
    id: "sign-offs",
    title: "Waiting for your sign-off",
    roles: ["manager", "safeguarding-lead"],
    position: 20,
    // Neglect assessments to sign off, and plans and social care assessments sent for authorisation.
    load: async (repo) => ({
      ...(await repo.worklist.signOffsWaiting()),
      authorisations: await repo.plans.listAwaitingMyAuthorisation(),
    }),
    template: "home/views/sections/sign-offs.njk",
  },
  {
    id: "front-door",
    title: "Requests waiting for a decision",
    roles: ["front-door", "safeguarding-lead"],
    position: 30,
    load: async (repo) => ({ ...(await repo.worklist.frontDoorWaiting()) }),
    template: "home/views/sections/front-door.njk",
  },
  {
    id: "my-cases",
    title: "Your children and what is due",
    roles: ["practitioner", "manager"],
    position: 40,
    load: async (repo) => ({ ...(await repo.worklist.myCases()), DUE_KINDS, today: todayInEngland() }),
    template: "home/views/sections/my-cases.njk",
  },
  {
    id: "assessments-to-act-on",
    title: "Neglect assessments to act on",
    roles: ["practitioner", "manager"],
    position: 45,
    // Shown only when a reading asks for action, so an empty section does not push the alerts down.
    load: async (repo) => {
      const found = await repo.worklist.assessmentsToActOn();
      return found.total ? found : undefined;
    },
    template: "home/views/sections/assessments-to-act-on.njk",
  },
  {
    id: "signals",
    title: "Signals to consider",
    roles: ["practitioner", "manager", "safeguarding-lead"],
    position: 45,
    load: async (repo) => ({ ...(await repo.signals.worklist()) }),
    template: "home/views/sections/signals.njk",
  },
  {
    id: "alerts",
    title: "Alerts on your caseload",
    roles: [...CASEWORK],
    position: 50,
    load: async (repo) => {
      const grouped = groupAlerts(await repo.pathways.myAlerts());
      return { ...grouped, groups: grouped.groups.slice(0, 5) };
    },
    template: "home/views/sections/alerts.njk",
  },
  {
    id: "differences",
    title: "Professional differences you are party to",
    roles: [...CASEWORK],
    position: 60,
    load: async (repo) => {
      const open = await repo.escalations.listMine({ open: true });
      return { total: open.length, items: open.slice(0, 10), ESCALATION_STAGES };
    },
    template: "home/views/sections/differences.njk",
  },
  {
    id: "notifications",
    title: "Notifications",
    roles: [...CASEWORK, "administrator", "auditor", "analyst"],
    position: 70,
    load: async (repo) => ({
      items: (await repo.notifications.outstanding(OUTSTANDING_READ))
        .slice(0, NEWEST_SHOWN)
        .filter((n) => !n.mustAcknowledge),
      unread: (await repo.worklist.navigationCounts()).notifications,
    }),
    template: "home/views/sections/notifications.njk",
  },
];

/** The sections a role sees, in order, each loaded (sequentially: one connection per request). */
export const loadHomeSections = async (repo: Repository, role: Role) => {
  const loaded: { id: string; title: string; template: string; data: Record<string, unknown> }[] = [];
  for (const section of [...HOME_SECTIONS].sort((a, b) => a.position - b.position)) {
    if (!section.roles.includes(role)) continue;
    const data = await section.load(repo);
    if (data) loaded.push({ id: section.id, title: section.title, template: section.template, data });
  }
  return loaded;
};
