// SPDX-License-Identifier: MIT
/**
 * Administration of the partnership's sign-in providers: administrators list them, add one and switch one
 * off, each change audited in the same transaction. The client secret arrives already encrypted and is
 * never read back to a page.
 */
import { sql } from "kysely";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { type Role, SSO_MAPPABLE_ROLE_CODES } from "../organisation/codes.ts";

export type SsoProviderSummary = {
  providerId: string;
  displayName: string;
  issuer: string;
  clientId: string;
  allowedEmailDomains: string[];
  acceptProviderMfa: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
  linkedUsers: number;
  groupMappings: SsoGroupMapping[];
};

export type SsoGroupMapping = {
  mappingId: string;
  groupClaim: string;
  teamName: string;
  agencyName: string;
  role: Role;
};

export type NewSsoProvider = {
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecretEncrypted: string;
  allowedEmailDomains: string[];
  acceptProviderMfa: boolean;
};

export class SsoRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof SsoRepository, never>, MethodAccess> = {
    listProviders: "guarded",
    addProvider: "guarded",
    deactivateProvider: "guarded",
    addGroupMapping: "guarded",
    deactivateGroupMapping: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /** The partnership's providers, for administrators only (others get an empty list). */
  listProviders(): Promise<SsoProviderSummary[]> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.sign-in-providers")) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("sso_providers as p")
        .select([
          "p.provider_id",
          "p.display_name",
          "p.issuer",
          "p.client_id",
          "p.allowed_email_domains",
          "p.accept_provider_mfa",
          "p.created_at",
          "p.deactivated_at",
          sql<number>`(select count(*) from sso_identities i where i.partnership_id = p.partnership_id and i.provider_id = p.provider_id)`.as(
            "linked_users",
          ),
        ])
        .where(sql.ref("p.partnership_id"), "=", currentPartnership)
        .orderBy("p.display_name")
        .execute();
      const mappings = await trx
        .selectFrom("sso_group_mappings as m")
        .innerJoin("teams as t", (j) => onKey(j, "t.team_id", "m.team_id"))
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "m.agency_id"))
        .select([
          "m.mapping_id",
          "m.provider_id",
          "m.group_claim",
          "m.role",
          "t.name as team_name",
          "a.name as agency_name",
        ])
        .where(sql.ref("m.partnership_id"), "=", currentPartnership)
        .where("m.deactivated_at", "is", null)
        .orderBy("m.group_claim")
        .execute();
      return rows.map((r) => ({
        groupMappings: mappings
          .filter((m) => m.provider_id === r.provider_id)
          .map((m) => ({
            mappingId: m.mapping_id,
            groupClaim: m.group_claim,
            teamName: m.team_name,
            agencyName: m.agency_name,
            role: m.role,
          })),
        providerId: r.provider_id,
        displayName: r.display_name,
        issuer: r.issuer,
        clientId: r.client_id,
        allowedEmailDomains: r.allowed_email_domains,
        acceptProviderMfa: r.accept_provider_mfa,
        createdAt: r.created_at,
        deactivatedAt: r.deactivated_at,
        linkedUsers: Number(r.linked_users),
      }));
    });
  }

  /** Adds a provider. Audited (without the secret). */
  addProvider(input: NewSsoProvider): Promise<ChangeResult<{ providerId: string }>> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.sign-in-providers"))
      return Promise.resolve(refused("Only administrators can add sign-in providers"));
    return this.#scope.run(async (trx) => {
      const providerId = crypto.randomUUID();
      await trx
        .insertInto("sso_providers")
        .values({
          partnership_id: ctx.partnershipId,
          provider_id: providerId,
          display_name: input.displayName,
          issuer: input.issuer,
          client_id: input.clientId,
          client_secret_encrypted: input.clientSecretEncrypted,
          allowed_email_domains: input.allowedEmailDomains,
          accept_provider_mfa: input.acceptProviderMfa,
          created_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "sso-provider",
        recordId: providerId,
        details: {
          display_name: input.displayName,
          issuer: input.issuer,
          client_id: input.clientId,
          allowed_email_domains: input.allowedEmailDomains,
          accept_provider_mfa: input.acceptProviderMfa,
        },
      });
      return done({ providerId });
    });
  }

  /** Switches a provider off: nobody can start a sign-in through it any more. Audited with the reason. */
  deactivateProvider(providerId: string, reason: string): Promise<ChangeResult<null>> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.sign-in-providers"))
      return Promise.resolve(refused("Only administrators can switch off sign-in providers"));
    return this.#scope.run(async (trx) => {
      const changed = await trx
        .updateTable("sso_providers")
        .set({ deactivated_at: new Date() })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("provider_id", "=", providerId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) return refused("This sign-in provider is not active");
      await this.#scope.audit(trx, {
        action: "deactivate",
        recordType: "sso-provider",
        recordId: providerId,
        reason,
      });
      return done(null);
    });
  }

  /**
   * Maps a provider's group to a team and a role: a member's first sign-in through the provider makes
   * their account there. Never the administrator role. Audited.
   */
  addGroupMapping(
    providerId: string,
    input: { groupClaim: string; teamId: string; role: string },
  ): Promise<ChangeResult<{ mappingId: string }>> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.sign-in-providers"))
      return Promise.resolve(refused("Only administrators can map a provider's groups"));
    const group = input.groupClaim.trim();
    if (group === "" || group.length > 200)
      return Promise.resolve(
        refused("Enter the group's id as the provider sends it, up to 200 characters", "groupClaim"),
      );
    if (!(SSO_MAPPABLE_ROLE_CODES as string[]).includes(input.role))
      return Promise.resolve(
        refused("Choose a role other than administrator: administrators are only ever invited", "role"),
      );
    const role = input.role as (typeof SSO_MAPPABLE_ROLE_CODES)[number];
    return this.#scope.run(async (trx) => {
      const provider = await trx
        .selectFrom("sso_providers")
        .select("provider_id")
        .where(inCurrentPartnership())
        .where("provider_id", "=", providerId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!provider) return refused("This sign-in provider is not active", "groupClaim");
      const team = await trx
        .selectFrom("teams")
        .select(["team_id", "agency_id"])
        .where(inCurrentPartnership())
        .where("team_id", "=", input.teamId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!team) return refused("Choose the team the group's members join", "teamId");
      const clash = await trx
        .selectFrom("sso_group_mappings")
        .select("mapping_id")
        .where(inCurrentPartnership())
        .where("provider_id", "=", providerId)
        .where("group_claim", "=", group)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (clash) return refused("This group is already mapped for this provider", "groupClaim");
      const mappingId = crypto.randomUUID();
      await trx
        .insertInto("sso_group_mappings")
        .values({
          partnership_id: ctx.partnershipId,
          mapping_id: mappingId,
          provider_id: providerId,
          group_claim: group,
          agency_id: team.agency_id,
          team_id: team.team_id,
          role,
          created_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "sso-group-mapping",
        recordId: mappingId,
        details: { provider: providerId, group, team: team.team_id, role },
      });
      return done({ mappingId });
    });
  }

  /** Switches a group mapping off: accounts it made stay, and no new ones are made. Audited. */
  deactivateGroupMapping(providerId: string, mappingId: string): Promise<ChangeResult<null>> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.sign-in-providers"))
      return Promise.resolve(refused("Only administrators can switch off a group mapping"));
    return this.#scope.run(async (trx) => {
      const changed = await trx
        .updateTable("sso_group_mappings")
        .set({ deactivated_at: new Date() })
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .where("provider_id", "=", providerId)
        .where("mapping_id", "=", mappingId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) return refused("This group mapping is not active");
      await this.#scope.audit(trx, {
        action: "deactivate",
        recordType: "sso-group-mapping",
        recordId: mappingId,
        details: { provider: providerId },
      });
      return done(null);
    });
  }
}
