#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npm start` and `npx hearth ...`: runs the TypeScript CLI through tsx.
// A young generation of 64 MB semi-spaces: a full indicator recount allocates about 100 bytes a unit row
// and keeps every child's model, and V8's default (16 MB) spent 4.7 of its 20 s on scavenges at
// 100,000 children, 2.5 s so (bench/README.md). Flags cannot be set once V8 has started, hence here.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
