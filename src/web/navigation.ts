// SPDX-License-Identifier: MIT
/** The service navigation for each role: only the places that role can use. */
import { COUNTED_ITEMS } from "../home/navigation-counts.ts";
import type { NavigationCounts } from "../home/worklist-repository.ts";
import { type Action, can } from "../kernel/policy.ts";
import type { Role } from "../organisation/codes.ts";

export type NavigationItem = { text: string; href: string; active: boolean };

/** Each link names the action its page's guard asks for, so it is shown exactly to those let in. */
const ITEMS: { text: string; href: string; action?: Action }[] = [
  { text: "Home", href: "/" },
  { text: "Find a person", href: "/people", action: "records.read" },
  { text: "Requests for support", href: "/pathways/requests", action: "requests.read" },
  { text: "Front door", href: "/pathways/front-door", action: "front-door.work" },
  { text: "Alerts", href: "/pathways/alerts", action: "alerts.read" },
  { text: "Professional differences", href: "/escalations", action: "escalations.take-part" },
  { text: "Indicators", href: "/indicators", action: "indicators.read" },
  { text: "Users", href: "/admin/users", action: "admin.organisation" },
  { text: "Agencies", href: "/admin/agencies", action: "admin.organisation" },
  { text: "Teams", href: "/admin/teams", action: "admin.organisation" },
  { text: "Sign-in providers", href: "/admin/sign-in-providers", action: "admin.sign-in-providers" },
  { text: "Assessment tools", href: "/admin/assessment-tools", action: "admin.assessment-tools" },
  { text: "Imports", href: "/imports", action: "imports.run" },
  { text: "Settings", href: "/settings", action: "settings.manage" },
  { text: "Board settings", href: "/settings/board", action: "board.settings" },
  { text: "Retention settings", href: "/settings/retention", action: "settings.manage" },
  { text: "Retention review", href: "/retention", action: "retention.review" },
  { text: "Archived records", href: "/retention/archived", action: "retention.archived" },
  { text: "Audit", href: "/audit", action: "audit.read" },
  { text: "Refused requests", href: "/audit/denials", action: "audit.read" },
  { text: "Learning", href: "/learning" },
  { text: "Notifications", href: "/notifications" },
  { text: "Your account", href: "/account" },
];

/**
 * @param role - The signed-in user's role.
 * @param url - The current URL, to mark the active section.
 * @param counts - Work waiting in each counted section, shown as "Home (3)"; none when zero.
 */
export const navigationFor = (role: Role, url: string, counts?: NavigationCounts): NavigationItem[] => {
  const path = url.split("?")[0] ?? "/";
  const items = ITEMS.filter((item) => !item.action || can(role, item.action));
  const matches = (href: string) =>
    href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
  // The most specific section is the active one: /audit/denials is "Refused requests", not "Audit".
  const active = items
    .filter((item) => matches(item.href))
    .reduce<string | undefined>(
      (best, item) => (!best || item.href.length > best.length ? item.href : best),
      undefined,
    );
  const counted = (item: { text: string; href: string }) => {
    const key = COUNTED_ITEMS[item.href];
    const n = key && counts ? counts[key] : 0;
    return n > 0 ? `${item.text} (${n})` : item.text;
  };
  return items.map((item) => ({ text: counted(item), href: item.href, active: item.href === active }));
};
