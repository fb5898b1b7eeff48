/**
 * docs/configuration.md, generated from the valibot schema in shared/src/config.ts (each
 * entry's default, its checks and its `v.description`), so the page cannot drift from what
 * the workers accept. `npm run docs:config` writes it; configuration.test.ts fails when the
 * committed page is stale.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Env } from "@kafka-pair/shared/config";
import * as v from "valibot";

export const configurationDocPath = fileURLToPath(new URL("../../docs/configuration.md", import.meta.url));

interface Node {
  type: string;
  pipe?: readonly Node[];
  wrapped?: Node;
  default?: unknown;
  options?: readonly unknown[];
  requirement?: unknown;
  message?: unknown;
}

const groups: Array<[title: string, test: (name: string) => boolean]> = [
  [
    "Kafka connection and client",
    (name) => name.startsWith("KAFKA_") || name === "TRANSPORT" || name === "LIBRDKAFKA_PATH",
  ],
  ["Workers and console", (name) => ["PORT", "HOST", "LOG_LEVEL", "SHUTDOWN_TIMEOUT_MS"].includes(name)],
  [
    "Producer",
    (name) => name.startsWith("PRODUCER_") || name.startsWith("IDEMPOTENCY_") || name.startsWith("ACCESS_LOG"),
  ],
  ["Consumer", (name) => name.startsWith("CONSUMER_") || name === "DATABASE_URL"],
  ["Console", (name) => name.startsWith("CONSOLE_")],
];

/** The checks a value must pass, in words, from the schema's own actions. */
function accepted(schema: Node): string {
  const parts: string[] = [];
  const visit = (node: Node) => {
    if (node.type === "picklist") parts.push((node.options ?? []).map((o) => `\`${String(o)}\``).join(", "));
    for (const step of node.pipe?.slice(1) ?? []) {
      switch (step.type) {
        case "to_number":
          parts.push("number");
          break;
        case "integer":
          if (parts.at(-1) === "number") parts.pop();
          parts.push("integer");
          break;
        case "min_value":
        case "max_value":
          parts.push(
            `${parts.pop() ?? ""} ${step.type === "min_value" ? "≥" : "≤"} ${String(step.requirement)}`.trim(),
          );
          break;
        case "min_length":
          parts.push(`at least ${String(step.requirement)} characters`);
          break;
        case "non_empty":
          parts.push("not empty");
          break;
        case "regex":
          parts.push(typeof step.message === "string" ? step.message : `matches \`${String(step.requirement)}\``);
          break;
      }
    }
    if (node.wrapped) visit(node.wrapped);
    else if (node.pipe?.[0] && node.pipe[0] !== node) visit(node.pipe[0]);
  };
  visit(schema);
  return parts.join("; ");
}

function defaultOf(schema: Node): string {
  if (schema.default === undefined) return "(unset)";
  if (schema.default === "") return "(empty)";
  return `\`${String(schema.default)}\``;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

export function renderConfigurationDoc(): string {
  const entries = Object.entries(Env.entries) as unknown as Array<[string, Node]>;
  const lines = [
    "# Configuration",
    "",
    "<!-- Generated from shared/src/config.ts by `npm run docs:config`; do not edit by hand. -->",
    "",
    "Both workers read all their configuration from environment variables, validated once at start-up",
    "by one valibot schema (`Env` in `shared/src/config.ts`). A bad value stops the worker with every",
    "problem listed. Handlers never read the environment.",
    "",
  ];
  for (const [title, test] of groups) {
    const rows = entries.filter(([name]) => test(name));
    if (rows.length === 0) continue;
    lines.push(`## ${title}`, "", "| Variable | Default | Accepts | Meaning |", "| --- | --- | --- | --- |");
    for (const [name, schema] of rows) {
      const description = v.getDescription(schema as unknown as v.GenericSchema) ?? "";
      lines.push(`| \`${name}\` | ${cell(defaultOf(schema))} | ${cell(accepted(schema))} | ${cell(description)} |`);
    }
    lines.push("");
  }
  const grouped = new Set(entries.filter(([name]) => groups.some(([, test]) => test(name))).map(([name]) => name));
  const rest = entries.filter(([name]) => !grouped.has(name)).map(([name]) => name);
  if (rest.length) throw new Error(`variables in no group of the configuration page: ${rest.join(", ")}`);
  return `${lines.join("\n").trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(configurationDocPath, renderConfigurationDoc());
  console.log(`wrote ${configurationDocPath}`);
}
