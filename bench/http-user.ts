// SPDX-License-Identifier: MIT
/** Moved to src/test-support/http-user.ts (shared with the tests); kept here for the benchmarks' imports. */
export * from "../src/test-support/http-user.ts";
