// SPDX-License-Identifier: MIT
/**
 * The tool library's checks before anything is published: an uploaded file (or a template) is parsed and
 * validated, compared with the version the partnership published before, and refused when publishing it
 * would fail or break a rule (a version number already used with other content; licensed content added
 * to a tool whose versions may be downloaded). Nothing here writes: publishing is the assessments
 * repository's `uploadTool`, after the administrator has seen this preview and confirmed it.
 */
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import { installRepositoryToolsIn } from "./tool-library.ts";
import { parseToolYaml, type ToolContent } from "./tool-schema.ts";

export type ToolPreview = {
  content: ToolContent;
  hash: string;
  /** The partnership's latest published version of the same tool, if any. */
  previous: { toolVersionId: string; version: string; content: ToolContent } | undefined;
  /** The same version with the same content is already published: there is nothing to publish. */
  alreadyPublished: boolean;
};

export class ToolLibraryRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof ToolLibraryRepository, MethodAccess> = {
    previewTool: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /**
   * Checks a tool file before it is published. Administrators only.
   * @param text - The file's text.
   * @returns The validated content with the previous version to compare it with, or every problem found
   * (each with its line in the file and its field's path).
   */
  previewTool(text: string): Promise<ChangeResult<ToolPreview>> {
    const ctx = this.#scope.context;
    if (!ctx || !can(ctx.role, "admin.assessment-tools"))
      return Promise.resolve(refused("Only administrators can publish assessment tools"));
    const parsed = parseToolYaml(text);
    if (!parsed.ok) return Promise.resolve(refused(parsed.errors.join("\n"), "toolFile"));
    const { content, hash } = parsed;
    return this.#scope.run(async (trx) => {
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const tool = await trx
        .selectFrom("assessment_tools")
        .select(["tool_id", "licence_kind"])
        .where(inCurrentPartnership("partnership_id"))
        .where("slug", "=", content.id)
        .executeTakeFirst();
      if (!tool) return done({ content, hash, previous: undefined, alreadyPublished: false });
      if (content.licence.kind === "licensed_third_party" && tool.licence_kind !== "licensed_third_party")
        return refused(
          `licence.kind: "${content.id}" was first published as content that may be downloaded; publish licensed third-party content under a tool id of its own, so that it is never exported`,
          "toolFile",
        );
      const versions = await trx
        .selectFrom("assessment_tool_versions")
        .select(["tool_version_id", "version", "content", "content_hash"])
        .where(inCurrentPartnership("partnership_id"))
        .where("tool_id", "=", tool.tool_id)
        .orderBy("published_at", "desc")
        .execute();
      const sameNumber = versions.find((v) => v.version === content.version);
      if (sameNumber && sameNumber.content_hash !== hash)
        return refused(
          `version: ${content.version} of "${content.id}" is already published with different content; give the changed tool a new version number`,
          "toolFile",
        );
      const latest = versions.find((v) => v.content_hash !== hash) ?? versions[0];
      return done({
        content,
        hash,
        previous: latest
          ? {
              toolVersionId: latest.tool_version_id,
              version: latest.version,
              content: latest.content as ToolContent,
            }
          : undefined,
        alreadyPublished: sameNumber !== undefined,
      });
    });
  }
}
