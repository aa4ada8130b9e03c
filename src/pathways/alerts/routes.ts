// SPDX-License-Identifier: MIT
/** The caller's drift and oversight alerts, grouped by child, filtered and paged (../alert-groups.ts). */
import type { AppContext } from "../../web/app.ts";
import { requireAllowed } from "../../web/guards.ts";
import { paginationFor } from "../../web/pagination.ts";
import { alertFilterFrom, alertPage, groupAlerts, SEVERITIES } from "../alert-groups.ts";
import { ALERT_TYPES } from "../alerts.ts";

export const registerAlertRoutes = ({ app }: AppContext): void => {
  app.get("/pathways/alerts", { preHandler: requireAllowed("alerts.read") }, async (request, reply) => {
    const alerts = await request.repo.pathways.myAlerts();
    const query = request.query as Record<string, unknown>;
    const filter = alertFilterFrom(query);
    const grouped = groupAlerts(alerts, filter);
    const shown = alertPage(grouped, query.page);
    const hrefFor = (n: number) =>
      `/pathways/alerts?${new URLSearchParams({
        ...(filter.severity ? { severity: filter.severity } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        page: String(n),
      })}`;
    return reply.page("pathways/views/alerts.njk", {
      title:
        shown.page > 1
          ? `Drift and oversight alerts (page ${shown.page} of ${shown.pageCount})`
          : "Drift and oversight alerts",
      grouped: { ...grouped, groups: shown.groups },
      children: grouped.groups.length,
      firstChild: shown.firstChild,
      pageCount: shown.pageCount,
      pagination: paginationFor(shown.page, shown.pageCount, hrefFor),
      filter,
      role: request.repo.context?.role,
      ALERT_TYPES,
      SEVERITIES,
    });
  });
};
