// SPDX-License-Identifier: MIT
/**
 * Input every route refuses before its handler runs, so no form or address can make Hearth fail with a
 * 500: a record id in the address that is not a UUID (PostgreSQL would refuse to cast it), and the NUL
 * character U+0000 in any submitted field or query value (PostgreSQL text cannot hold it). Pure functions;
 * src/web/app.ts applies them in one hook for every route.
 */

/**
 * Route parameters that are not record UUIDs: each route validates these itself. Every other parameter
 * named `id` or ending in `Id` must be a UUID.
 */
export const NON_UUID_PARAMS: ReadonlySet<string> = new Set([
  // An indicator's slug, e.g. /indicators/neglect-plans.
  "id",
  // A tool's section, named in its YAML file.
  "sectionId",
  // An audit reference: any record type's id, looked up as text.
  "recordId",
]);

// Any UUID PostgreSQL's uuid type accepts in canonical form: whatever passes can be cast without an error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @returns Whether a route parameter of this name holds a record's UUID. */
export const isUuidParam = (name: string): boolean =>
  (name === "id" || name.endsWith("Id")) && !NON_UUID_PARAMS.has(name);

/**
 * @param params - A request's route parameters.
 * @returns The name of the first parameter that should be a UUID and is not, if any.
 */
export const malformedIdParam = (params: unknown): string | undefined => {
  if (!params || typeof params !== "object") return undefined;
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (isUuidParam(name) && !(typeof value === "string" && UUID.test(value))) return name;
  }
  return undefined;
};

/**
 * @param values - A parsed form body or query string (values are strings or arrays of strings).
 * @returns The name of the first field holding U+0000, if any.
 */
export const fieldWithNul = (values: unknown): string | undefined => {
  if (!values || typeof values !== "object") return undefined;
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (name.includes("\u0000")) return "a field's name";
    const strings = Array.isArray(value) ? value : [value];
    if (strings.some((s) => typeof s === "string" && s.includes("\u0000"))) return name;
  }
  return undefined;
};

/** @returns A form field's name as words: "whatHappened" → "what happened", "occurredOn-day" → "occurred on day". */
export const fieldNameAsWords = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[-_]+/g, " ")
    .toLowerCase()
    .trim();
