// SPDX-License-Identifier: MIT
/**
 * Reading what a request carries: an id or text in the path, and the form body. An id that is not one reads as
 * undefined, which routes answer as not found.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";

export type FormBody = Record<string, unknown>;

const ZId = z.uuid();

/** Whether a value sent is an id (a UUID). */
export const isId = (value: unknown): value is string => ZId.safeParse(value).success;

/** The path parameter `name` as text (a slug, a section's name), or "" when there is none. */
export const textParam = (request: FastifyRequest, name: string): string => {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
};

/** The path parameter `name` when it is an id; undefined for anything else. */
export const idParam = (request: FastifyRequest, name: string): string | undefined => {
  const value = textParam(request, name);
  return isId(value) ? value : undefined;
};

/**
 * What the path parameter `name` names, loaded by `load` when it is an id; undefined for anything else,
 * which routes answer as not found. The page's repository call stays written at the page.
 */
export const byPathId = async <T>(
  request: FastifyRequest,
  name: string,
  load: (id: string) => Promise<T | undefined>,
): Promise<T | undefined> => {
  const id = idParam(request, name);
  return id === undefined ? undefined : load(id);
};

/** The submitted form's fields (empty when nothing was sent). */
export const formBody = (request: FastifyRequest): FormBody => (request.body ?? {}) as FormBody;

/** A form field's text as sent, or "" when it was not sent as text. */
export const textField = (body: FormBody, name: string): string => {
  const value = body[name];
  return typeof value === "string" ? value : "";
};

/** The named path parameters when every one is an id; undefined when any is not. */
export const idParams = <N extends string>(
  request: FastifyRequest,
  ...names: N[]
): Record<N, string> | undefined => {
  const ids = {} as Record<N, string>;
  for (const name of names) {
    const id = idParam(request, name);
    if (!id) return undefined;
    ids[name] = id;
  }
  return ids;
};
