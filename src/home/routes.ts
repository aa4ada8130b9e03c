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
      const data: Record<string, unknown> = {
        title: "Home",
        // Read with the session (requireSignedIn has found it), not asked for again.
        partnershipName: request.session?.partnershipName,
        role,
        secondFactorSetUp: request.query.secondFactor === "set-up",
      };
      // No reminders are made here: `hearth reminders` makes everyone's daily (README, "Daily jobs"), and
      // the worklist shows what is due from the records themselves. Made on every view, they cost each
      // worker's home page a read of all her plans' events and an insert per review due.
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
