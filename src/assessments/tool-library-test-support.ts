// SPDX-License-Identifier: MIT
/**
 * What the tool library tests (tool-library-*.test.ts) share: the database, a partnership of 10 children
 * and the app (live bindings, set by useToolLibraryFixtures' before hook), the template tools' ids, a tool
 * file's content and the installed RAG tool's text, a real multipart upload, reading the publish form, the
 * count of tool versions, and the administrator signed in once.
 */
import assert from "node:assert/strict";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { repositoryTools } from "./tool-library.ts";
import { parseToolYaml, type ToolContent } from "./tool-schema.ts";

/** The file's fixtures (live bindings, set before its tests by useTestApp). */
export { app, database, partnership };

export const TEMPLATE_IDS = [
  "city-hackney-neglect-toolkit",
  "northamptonshire-neglect-assessment-tool",
  "portsmouth-nimt",
  "somerset-family-strengths-needs",
  "southampton-uha-levels-of-need",
];

export const contentOf = (text: string): ToolContent => {
  const parsed = parseToolYaml(text);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
  return parsed.content;
};

export const ragText = () =>
  repositoryTools().find((t) => t.content.id === "home-conditions-rag")?.text ?? "";

/** A real multipart/form-data body, as a browser sends a form with a file input. */
const multipart = (
  fields: Record<string, string>,
  file?: { field: string; filename: string; content: string | Buffer },
) => {
  const boundary = `----hearthtest${crypto.randomUUID().replaceAll("-", "")}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: application/x-yaml\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
};

export const postMultipart = async (
  client: TestClient,
  url: string,
  fields: Record<string, string>,
  file?: { field: string; filename: string; content: string | Buffer },
) => {
  const body = multipart({ _csrf: client.csrfToken, ...fields }, file);
  const response = await client.app.inject({
    method: "POST",
    url,
    payload: body.payload,
    headers: { cookie: client.cookieHeader, "content-type": body.contentType },
  });
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
  if (token?.[1]) client.csrfToken = token[1];
  return response;
};

export const decode = (html: string) =>
  html
    .replaceAll("&#10;", "\n")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

/** The publish form's hidden fields on a preview page. */
export const publishFields = (html: string) => {
  const field = (name: string) =>
    decode(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "missing");
  return {
    toolText: field("toolText"),
    hash: field("hash"),
    previousVersionId: field("previousVersionId"),
  };
};

export const versionCount = async () =>
  (
    await database.unsafeOwnerDb
      .selectFrom("assessment_tool_versions")
      .select("tool_version_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .execute()
  ).length;

let admin: TestClient | undefined;
/** The administrator, signed in once (a second factor's code is accepted only once). */
export const signedInAdmin = async () => {
  if (admin) return admin;
  admin = new TestClient(app);
  const signIn = signInFor(partnership, "administrator");
  await admin.signIn(signIn.email, { totpSecret: partnership.administratorTotpSecret });
  return admin;
};

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const useToolLibraryFixtures = () => {
  useTestApp({ children: 10 });
};
