// SPDX-License-Identifier: MIT
/** `hearth version`: the package's version; opens nothing (also a measure of bare CLI start-up). */
import { readFileSync } from "node:fs";

export const versionCommand = () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  console.log(`hearth ${pkg.version} (Node ${process.versions.node})`);
};
