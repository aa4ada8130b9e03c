// SPDX-License-Identifier: MIT
/**
 * Administration of the partnership's sign-in providers: administrators list them, add one and switch one
 * off, each change audited in the same transaction. The client secret arrives already encrypted and is
 * never read back to a page.
 */
import { sql } from "kysely";
import { canAdminister } from "../data/access-context.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";

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
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /** The partnership's providers, for administrators only (others get an empty list). */
  listProviders(): Promise<SsoProviderSummary[]> {
    const ctx = this.#scope.context;
    if (!ctx || !canAdminister(ctx)) return Promise.resolve([]);
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
        .where(sql.ref("p.partnership_id"), "=", sql<string>`hearth_current_partnership()`)
        .orderBy("p.display_name")
        .execute();
      return rows.map((r) => ({
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
    if (!ctx || !canAdminister(ctx))
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
    if (!ctx || !canAdminister(ctx))
      return Promise.resolve(refused("Only administrators can switch off sign-in providers"));
    return this.#scope.run(async (trx) => {
      const changed = await trx
        .updateTable("sso_providers")
        .set({ deactivated_at: new Date() })
        .where(sql.ref("partnership_id"), "=", sql<string>`hearth_current_partnership()`)
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
}
