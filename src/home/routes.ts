// SPDX-License-Identifier: MIT
/** The home page: one per role, its worklist (./sections.ts), with what that role does in Hearth. */
import { ROLE_CODES } from "../organisation/codes.ts";
import type { AppContext } from "../web/app.ts";
import { requireSignedIn } from "../web/guards.ts";
import { loadHomeSections } from "./sections.ts";

export const registerHomeRoutes = ({ app }: AppContext) => {
  app.get<{ Querystring: { secondFactor?: string } }>(
    "/",
    { preHandler: requireSignedIn() },
    async (request, reply) => {
      const repo = request.repo;
      const role = repo.context?.role;
      const partnership = await repo.organisation.getPartnership();
      const data: Record<string, unknown> = {
        title: "Home",
        partnership,
        role,
        secondFactorSetUp: request.query.secondFactor === "set-up",
      };
      // Reminders are made as the worker opens their worklist (and by the CLI for everyone).
      await repo.worklist.remindMyPlanReviews();
      data.sections = role ? await loadHomeSections(repo, role) : [];
      if (role === "administrator" || role === "auditor") {
        const counts = await repo.organisation.countUsersByRole();
        data.roleCounts = ROLE_CODES.map((code) => ({
          code,
          count: Number(counts.find((c) => c.role === code)?.count ?? 0),
        }));
        data.agencies = (await repo.organisation.listAgencies()).length;
      }
      if (role === "manager" || role === "safeguarding-lead" || role === "front-door") {
        data.colleagues = await repo.organisation.listUsers();
      }
      return reply.page("home/views/home.njk", data);
    },
  );
};
