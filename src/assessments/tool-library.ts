// SPDX-License-Identifier: MIT
/**
 * Tools in the repository's `tools/` folder, and publishing a tool version into a partnership. The
 * repository's tools are published into each partnership idempotently (a version already there with the
 * same content hash is left alone); a version number already used with different content is refused,
 * because a published version never changes.
 *
 * `tools/templates/` holds templates: the shapes of the partnerships' own tools with placeholder wording.
 * They are never installed on their own; an administrator previews one and publishes it into their
 * partnership, then loads the partnership's own text as a new version.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import type { Trx } from "../data/repository-scope.ts";
import type { HearthDatabase } from "../db/database.ts";
import { onKey } from "../kernel/sql.ts";
import { SRC_DIR } from "../web/views.ts";
import { parseToolYaml, type ToolContent } from "./tool-schema.ts";

/** The repository's folder of tool definitions. */
export const TOOLS_DIR = join(SRC_DIR, "..", "tools");

export type RepositoryTool = { file: string; text: string; content: ToolContent; hash: string };

/** The repository's folder of template tools (placeholder wording; published only when asked). */
export const TEMPLATES_DIR = join(TOOLS_DIR, "templates");

const cache = new Map<string, RepositoryTool[]>();

/** Reads and validates every YAML file directly in a folder; a broken one stops with its problems. */
const readToolFolder = (dir: string, shown: string): RepositoryTool[] => {
  const known = cache.get(dir);
  if (known) return known;
  const tools: RepositoryTool[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const text = readFileSync(join(dir, file), "utf8");
    const parsed = parseToolYaml(text);
    if (!parsed.ok) throw new Error(`${shown}/${file} is not a valid tool:\n  ${parsed.errors.join("\n  ")}`);
    tools.push({ file, text, content: parsed.content, hash: parsed.hash });
  }
  cache.set(dir, tools);
  return tools;
};

/**
 * Reads and validates every tool file in `tools/` (not its `templates/` folder). A broken file there is
 * a defect in Hearth itself, so it stops with the file's name and each problem's path.
 * @returns The tools, by file name.
 */
export const repositoryTools = (): RepositoryTool[] => readToolFolder(TOOLS_DIR, "tools");

/**
 * The template tools in `tools/templates/`: one per strategy's tool shape, with placeholder wording.
 * @returns The templates, by file name.
 */
export const templateTools = (): RepositoryTool[] => readToolFolder(TEMPLATES_DIR, "tools/templates");

export type PublishOutcome =
  | { status: "published" | "unchanged"; toolId: string; toolVersionId: string }
  | { status: "conflict"; message: string };

/**
 * Publishes one tool version into the transaction's partnership (row-level security applies).
 * @param trx - A transaction scoped to the partnership.
 * @param input - The partnership, validated content, its hash and source text, where it came from, and who.
 * @returns Published, unchanged (already there), or a conflict with a message.
 */
export const publishToolVersion = async (
  trx: Trx,
  input: {
    partnershipId: string;
    content: ToolContent;
    hash: string;
    sourceText: string;
    source: "repository" | "upload";
    userId: string | null;
  },
): Promise<PublishOutcome> => {
  const { content } = input;
  await trx
    .insertInto("assessment_tools")
    .values({
      partnership_id: input.partnershipId,
      tool_id: crypto.randomUUID(),
      slug: content.id,
      name: content.name,
      tier: content.tier,
      licence_kind: content.licence.kind,
      attribution: content.licence.attribution ?? null,
      source: input.source,
      created_by: input.userId,
    })
    .onConflict((oc) => oc.columns(["partnership_id", "slug"]).doNothing())
    .execute();
  const tool = await trx
    .selectFrom("assessment_tools")
    .select(["tool_id", "licence_kind"])
    .where("partnership_id", "=", input.partnershipId)
    .where("slug", "=", content.id)
    .executeTakeFirstOrThrow();
  const existing = await trx
    .selectFrom("assessment_tool_versions")
    .select(["tool_version_id", "content_hash"])
    .where("partnership_id", "=", input.partnershipId)
    .where("tool_id", "=", tool.tool_id)
    .where("version", "=", content.version)
    .executeTakeFirst();
  if (existing) {
    if (existing.content_hash === input.hash)
      return { status: "unchanged", toolId: tool.tool_id, toolVersionId: existing.tool_version_id };
    return {
      status: "conflict",
      message: `version: ${content.version} of "${content.id}" is already published with different content; give the changed tool a new version number`,
    };
  }
  const toolVersionId = crypto.randomUUID();
  await trx
    .insertInto("assessment_tool_versions")
    .values({
      partnership_id: input.partnershipId,
      tool_version_id: toolVersionId,
      tool_id: tool.tool_id,
      version: content.version,
      content: JSON.stringify(content),
      content_hash: input.hash,
      source_text: input.sourceText,
      published_by: input.userId,
    })
    .onConflict((oc) => oc.columns(["partnership_id", "tool_id", "version"]).doNothing())
    .execute();
  return { status: "published", toolId: tool.tool_id, toolVersionId };
};

/**
 * Publishes the repository's tools into a partnership inside an open transaction, once: tools already
 * there are left as they are.
 * @param trx - A transaction scoped to the partnership (or the owner's, for the generator).
 * @param partnershipId - The partnership.
 */
export const installRepositoryToolsIn = async (trx: Trx, partnershipId: string): Promise<void> => {
  const have = await trx
    .selectFrom("assessment_tool_versions as v")
    .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
    .select([sql<string>`t.slug || '@' || v.version`.as("key"), "v.content_hash"])
    .where("v.partnership_id", "=", partnershipId)
    .execute();
  const known = new Set(have.map((row) => `${row.key}#${row.content_hash}`));
  for (const tool of repositoryTools()) {
    if (known.has(`${tool.content.id}@${tool.content.version}#${tool.hash}`)) continue;
    await publishToolVersion(trx, {
      partnershipId,
      content: tool.content,
      hash: tool.hash,
      sourceText: tool.text,
      source: "repository",
      userId: null,
    });
  }
};

/**
 * Publishes the repository's tools into every partnership, as the owner: for start-up and the CLI.
 * @param database - The open database.
 */
export const installRepositoryTools = async (database: HearthDatabase): Promise<void> => {
  const partnerships = await database.unsafeOwnerDb
    .selectFrom("partnerships")
    .select("partnership_id")
    .execute();
  for (const { partnership_id } of partnerships)
    await database.unsafeOwnerDb
      .transaction()
      .execute((trx) => installRepositoryToolsIn(trx, partnership_id));
};
