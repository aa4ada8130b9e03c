// SPDX-License-Identifier: MIT
/** Moved to src/test-support/choose-users.ts (shared with the tests); kept here for the benchmarks' imports. */
export * from "../src/test-support/choose-users.ts";
