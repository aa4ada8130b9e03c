// SPDX-License-Identifier: MIT
/** The service navigation for each role: only the places that role can use. */
import { COUNTED_ITEMS } from "../home/navigation-counts.ts";
import type { NavigationCounts } from "../home/worklist-repository.ts";
import type { Role } from "../organisation/codes.ts";

export type NavigationItem = { text: string; href: string; active: boolean };

const ADMIN_ONLY: Role[] = ["administrator"];
const AUDIT_READERS: Role[] = ["administrator", "auditor"];
const CASE_ROLES: Role[] = ["practitioner", "manager", "safeguarding-lead", "front-door", "auditor"];
const FRONT_DOOR: Role[] = ["front-door", "safeguarding-lead"];
const ALERT_READERS: Role[] = ["practitioner", "manager", "safeguarding-lead", "front-door"];
const REFERRERS: Role[] = ["practitioner", "manager", "safeguarding-lead"];
const INDICATOR_READERS: Role[] = ["analyst", "safeguarding-lead", "manager"];

const ITEMS: { text: string; href: string; roles?: Role[] }[] = [
  { text: "Home", href: "/" },
  { text: "Find a person", href: "/people", roles: CASE_ROLES },
  { text: "Requests for support", href: "/pathways/requests", roles: REFERRERS },
  { text: "Front door", href: "/pathways/front-door", roles: FRONT_DOOR },
  { text: "Alerts", href: "/pathways/alerts", roles: ALERT_READERS },
  { text: "Professional differences", href: "/escalations", roles: ALERT_READERS },
  { text: "Indicators", href: "/indicators", roles: INDICATOR_READERS },
  { text: "Users", href: "/admin/users", roles: ADMIN_ONLY },
  { text: "Agencies", href: "/admin/agencies", roles: ADMIN_ONLY },
  { text: "Teams", href: "/admin/teams", roles: ADMIN_ONLY },
  { text: "Sign-in providers", href: "/admin/sign-in-providers", roles: ADMIN_ONLY },
  { text: "Assessment tools", href: "/admin/assessment-tools", roles: ADMIN_ONLY },
  { text: "Imports", href: "/imports", roles: ["manager", "safeguarding-lead", "administrator"] },
  { text: "Settings", href: "/settings", roles: ["administrator", "safeguarding-lead"] },
  {
    text: "Board settings",
    href: "/settings/board",
    roles: ["administrator", "analyst", "safeguarding-lead"],
  },
  { text: "Retention settings", href: "/settings/retention", roles: ["administrator", "safeguarding-lead"] },
  { text: "Retention review", href: "/retention", roles: ["safeguarding-lead"] },
  { text: "Archived records", href: "/retention/archived", roles: ["auditor"] },
  { text: "Audit", href: "/audit", roles: AUDIT_READERS },
  { text: "Refused requests", href: "/audit/denials", roles: AUDIT_READERS },
  {
    text: "Learning",
    href: "/learning",
    roles: ["practitioner", "manager", "safeguarding-lead", "auditor", "analyst", "front-door"],
  },
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
  const items = ITEMS.filter((item) => !item.roles || item.roles.includes(role));
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
