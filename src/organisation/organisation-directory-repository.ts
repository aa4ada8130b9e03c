// SPDX-License-Identifier: MIT
/**
 * The organisation's directory: the partnership, its agencies and teams, which every role reads, and the
 * administrators' additions to it, each audited in the same transaction.
 */
import { sql } from "kysely";
import { AreaRepository } from "../data/area-repository.ts";
import { type ChangeResult, type MethodAccess, refused } from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import type { AgencyType } from "./codes.ts";

/** The partnership, its agencies and its teams. */
export class OrganisationDirectoryRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof OrganisationDirectoryRepository, MethodAccess> = {
    getPartnership: "guarded",
    listAgencies: "guarded",
    createAgency: "guarded",
    listTeams: "guarded",
    createTeam: "guarded",
  };

  /** @returns The caller's partnership, or undefined. */
  getPartnership() {
    return this.scope.run((trx) =>
      trx.selectFrom("partnerships").selectAll().where(inCurrentPartnership()).executeTakeFirst(),
    );
  }

  /** @returns The partnership's agencies, active first, by name. Every role may read the directory. */
  listAgencies() {
    return this.scope.run((trx) =>
      trx
        .selectFrom("agencies")
        .selectAll()
        .where(inCurrentPartnership())
        .orderBy(sql`deactivated_at is not null`)
        .orderBy("name")
        .execute(),
    );
  }

  /**
   * Adds an agency. Administrators only.
   * @param input - The agency's name and type code.
   */
  createAgency(input: { name: string; agencyType: AgencyType }): Promise<ChangeResult<{ agencyId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.organisation"))
      return Promise.resolve(refused("Only administrators can add agencies"));
    return this.scope.run(async (trx) => {
      const clash = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(inCurrentPartnership())
        .where(sql<boolean>`lower(name) = lower(${input.name})`)
        .executeTakeFirst();
      if (clash) return refused("An agency with this name already exists", "name");
      const agencyId = crypto.randomUUID();
      await trx
        .insertInto("agencies")
        .values({
          partnership_id: ctx.partnershipId,
          agency_id: agencyId,
          name: input.name,
          agency_type: input.agencyType,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "agency",
        recordId: agencyId,
        details: { name: [null, input.name], agency_type: [null, input.agencyType] },
      });
      return { ok: true as const, value: { agencyId } };
    });
  }

  /** @returns The partnership's teams with their agency's name. */
  listTeams() {
    return this.scope.run((trx) =>
      trx
        .selectFrom("teams")
        .innerJoin("agencies", (join) => onKey(join, "agencies.agency_id", "teams.agency_id"))
        .select([
          "teams.team_id",
          "teams.name",
          "teams.agency_id",
          "agencies.name as agency_name",
          "teams.deactivated_at",
        ])
        .where(sql.ref("teams.partnership_id"), "=", currentPartnership)
        .orderBy("agencies.name")
        .orderBy("teams.name")
        .execute(),
    );
  }

  /** Adds a team to an agency. Administrators only. */
  createTeam(input: { agencyId: string; name: string }): Promise<ChangeResult<{ teamId: string }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.organisation"))
      return Promise.resolve(refused("Only administrators can add teams"));
    return this.scope.run(async (trx) => {
      const agency = await trx
        .selectFrom("agencies")
        .select("agency_id")
        .where(inCurrentPartnership())
        .where("agency_id", "=", input.agencyId)
        .executeTakeFirst();
      if (!agency) return refused("Select the agency this team belongs to", "agencyId");
      const clash = await trx
        .selectFrom("teams")
        .select("team_id")
        .where(inCurrentPartnership())
        .where("agency_id", "=", input.agencyId)
        .where(sql<boolean>`lower(name) = lower(${input.name})`)
        .executeTakeFirst();
      if (clash) return refused("This agency already has a team with this name", "name");
      const teamId = crypto.randomUUID();
      await trx
        .insertInto("teams")
        .values({
          partnership_id: ctx.partnershipId,
          team_id: teamId,
          agency_id: input.agencyId,
          name: input.name,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "create",
        recordType: "team",
        recordId: teamId,
        details: { name: [null, input.name], agency_id: [null, input.agencyId] },
      });
      return { ok: true as const, value: { teamId } };
    });
  }
}
