#!/usr/bin/env node
// node scripts/setup/run.mjs [--kafka] [--browser] [--servers] <command> [args...]
//
// What every npm script goes through: the set-up (ensure.mjs: Node, dependencies, with
// --kafka the local launcher's needs, with --browser Chromium for the console's browser tests, with
// --servers the servers the e2e tests start: Valkey/Redis, nginx, PostgreSQL), then <command> with the chosen Node and node_modules/.bin
// first on PATH, so `tsx`, `vitest` and the workers they start all run on that Node.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { ensure, root } from "./ensure.mjs";

const args = process.argv.slice(2);
const flags = new Set();
while (args[0] === "--kafka" || args[0] === "--browser" || args[0] === "--servers") flags.add(args.shift());
const kafka = flags.has("--kafka");
const [command, ...rest] = args;
if (!command) {
  console.error("usage: node scripts/setup/run.mjs [--kafka] [--browser] [--servers] <command> [args...]");
  process.exit(2);
}

const env = ensure({ kafka, browser: flags.has("--browser"), servers: flags.has("--servers") });
const child = spawn(command, rest, { cwd: process.cwd() || root, env, stdio: "inherit" });

// Ctrl-C reaches the whole foreground process group, the child included: it decides how to
// stop, and this process exits with it. SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("error", (err) => {
  console.error(`[setup] could not run ${command}: ${err.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});
