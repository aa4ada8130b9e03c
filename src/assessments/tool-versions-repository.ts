// SPDX-License-Identifier: MIT
/**
 * The partnership's assessment tools as versioned data: the list with every version, publishing a new
 * version from a YAML file, and downloading a version's file. Hearth's own tools are published into the
 * partnership the first time they are needed. The checks and preview before publishing are in
 * tool-library-repository.ts.
 */

import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { AreaRepository } from "../data/area-repository.ts";
import { mayOpenChildRecords } from "../data/child-access.ts";
import { type ChangeResult, done, type MethodAccess, refused } from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { installRepositoryToolsIn, publishToolVersion } from "./tool-library.ts";
import { parseToolYaml } from "./tool-schema.ts";

/** Assessment tools and their versions. */
export class ToolVersionsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ToolVersionsRepository, MethodAccess> = {
    listTools: "guarded",
    uploadTool: "guarded",
    exportToolVersion: "guarded",
  };

  /** Tools as the caller may list them: administrators and those who work with children. */
  #mayListTools(ctx: AccessContext | undefined): ctx is AccessContext {
    return !!ctx && (ctx.role === "administrator" || mayOpenChildRecords(ctx.role));
  }

  /**
   * The partnership's tools with their versions, newest version first. Hearth's own tools from the
   * repository are published into the partnership the first time they are needed.
   */
  listTools() {
    const ctx = this.ctx;
    if (!this.#mayListTools(ctx)) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const rows = await trx
        .selectFrom("assessment_tools as t")
        .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_id", "t.tool_id"))
        .select([
          "t.tool_id",
          "t.slug",
          "t.name",
          "t.tier",
          "t.licence_kind",
          "t.attribution",
          "t.source",
          "v.tool_version_id",
          "v.version",
          "v.published_at",
          "v.content_hash",
          sql<string>`v.content ->> 'purpose'`.as("purpose"),
        ])
        .where(inCurrentPartnership("t.partnership_id"))
        .orderBy("t.name")
        .orderBy("v.published_at", "desc")
        .execute();
      const tools = new Map<string, { tool: (typeof rows)[number]; versions: (typeof rows)[number][] }>();
      for (const row of rows) {
        const entry = tools.get(row.tool_id) ?? { tool: row, versions: [] };
        entry.versions.push(row);
        tools.set(row.tool_id, entry);
      }
      return [...tools.values()];
    });
  }

  /**
   * Publishes a tool version from an uploaded YAML file. Administrators only.
   * @param text - The file's text.
   * @returns The new version, or the problems found, each naming its path in the file.
   */
  uploadTool(
    text: string,
  ): Promise<ChangeResult<{ toolVersionId: string; name: string; version: string; unchanged: boolean }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.assessment-tools"))
      return Promise.resolve(refused("Only administrators can publish assessment tools"));
    const parsed = parseToolYaml(text);
    if (!parsed.ok) return Promise.resolve(refused(parsed.errors.join("\n"), "toolFile"));
    return this.scope.run(async (trx) => {
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const outcome = await publishToolVersion(trx, {
        partnershipId: ctx.partnershipId,
        content: parsed.content,
        hash: parsed.hash,
        sourceText: text,
        source: "upload",
        userId: ctx.userId,
      });
      if (outcome.status === "conflict") return refused(outcome.message, "toolFile");
      if (outcome.status === "published")
        await this.scope.audit(trx, {
          action: "publish",
          recordType: "assessment-tool-version",
          recordId: outcome.toolVersionId,
          details: { tool: parsed.content.id, version: parsed.content.version, hash: parsed.hash },
        });
      return done({
        toolVersionId: outcome.toolVersionId,
        name: parsed.content.name,
        version: parsed.content.version,
        unchanged: outcome.status === "unchanged",
      });
    });
  }

  /**
   * A tool version's source file, for an administrator to download. Licensed third-party content is
   * never exported beyond the partnership that holds the licence.
   */
  exportToolVersion(toolVersionId: string): Promise<ChangeResult<{ fileName: string; text: string }>> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "admin.assessment-tools"))
      return Promise.resolve(refused("Only administrators can download tool definitions"));
    return this.scope.run(async (trx) => {
      const row = await trx
        .selectFrom("assessment_tool_versions as v")
        .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
        .select(["t.slug", "t.licence_kind", "v.version", "v.source_text"])
        .where(inCurrentPartnership("v.partnership_id"))
        .where("v.tool_version_id", "=", toolVersionId)
        .executeTakeFirst();
      if (!row) return refused("Tool version not found");
      if (row.licence_kind === "licensed_third_party")
        return refused("This tool is licensed content: it cannot be exported beyond this partnership");
      await this.scope.audit(trx, {
        action: "export",
        recordType: "assessment-tool-version",
        recordId: toolVersionId,
      });
      return done({ fileName: `${row.slug}-${row.version}.yaml`, text: row.source_text });
    });
  }
}
