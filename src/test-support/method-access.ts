// SPDX-License-Identifier: MIT
/** Checks that a repository class classifies every public method it has, and nothing it no longer has. */

type ClassifiedRepository = { name: string; prototype: object; methodAccess: Record<string, string> };

/**
 * @param repository - A repository class with a static `methodAccess`.
 * @returns Methods left undeclared, and declarations of methods that no longer exist.
 */
export const unclassifiedMethods = (
  repository: ClassifiedRepository,
): { undeclared: string[]; stale: string[] } => {
  const methods = Object.getOwnPropertyNames(repository.prototype).filter(
    (name) =>
      name !== "constructor" &&
      typeof Object.getOwnPropertyDescriptor(repository.prototype, name)?.value === "function",
  );
  const declared = repository.methodAccess;
  return {
    undeclared: methods.filter((name) => declared[name] !== "guarded" && declared[name] !== "unguarded"),
    stale: Object.keys(declared).filter((name) => !methods.includes(name)),
  };
};
