// The runtime every process of the pair boots on: configuration read once from the environment,
// logs, the topic namespace, topic provisioning, start-up retries and the graceful stop on signals.
// Deno's server and signal wiring is ./index.deno.ts (the Deno global is not Node's).
export * from "./config.ts";
export * from "./log.ts";
export * from "./namespace.ts";
export * from "./signals.ts";
export * from "./startup.ts";
export * from "./topics.ts";
