/**
 * npm run faults [-- <vitest file filters>]: the fault suite with its own broker cluster, then
 * the Guarantees table (acknowledged / read back / lost / duplicated per case) on stdout and in
 * fault-results/<time>/report.md. Exits non-zero if any case failed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KAFKA_VERSION } from "../scripts/kafka/launcher.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = new Date();
const outDir = join(root, "fault-results", started.toISOString().replace(/[:.]/g, "-"));
mkdirSync(outDir, { recursive: true });

const vitest = spawn(
  process.execPath,
  [
    join(root, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    "faults/vitest.config.ts",
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: ["inherit", "pipe", "inherit"], env: { ...process.env, FAULTS_RESULTS_DIR: outDir } },
);
let output = "";
vitest.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  output = (output + chunk.toString()).slice(-1_000_000);
});
const code = await new Promise<number>((resolve) => vitest.on("close", (c) => resolve(c ?? 1)));

type Figures = Record<string, number | string>;
const file = join(outDir, "figures.json");
const figures: Record<string, Figures> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
// Case 4 is the consumer engineer's spec (test/e2e/consumer-crash.spec.ts, 400 events): a passing run
// asserts at-least-once and duplicates only from the uncommitted window; it prints its counts.
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal colour codes
const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
const crash = /\[consumer-crash\] (\d+) done before kill -9, (\d+) processed twice/.exec(plain);
if (crash && /✓ test\/e2e\/consumer-crash\.spec\.ts/.test(plain)) {
  figures["4. consumer kill -9 mid-stream, restart (test/e2e/consumer-crash.spec.ts)"] = {
    acknowledged: 400,
    readBack: 400,
    lost: 0,
    duplicated: Number(crash[2]),
    doneBeforeKill: Number(crash[1]),
    note: "read back = processed at least once; duplicated = processed twice, all from the uncommitted window",
  };
}
const cases = Object.entries(figures).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
const columns = ["acknowledged", "readBack", "lost", "duplicated"] as const;
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, Kafka ${KAFKA_VERSION} (3 KRaft brokers, RF 3, min.insync.replicas 2)`;
const lines = [
  `# Fault suite, ${started.toISOString()}`,
  "",
  `Machine: ${machine}. Vitest exit code: ${code}.`,
  "",
  "| case | acknowledged | read back | lost | duplicated |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...cases.map(([name, f]) => `| ${name} | ${columns.map((c) => f[c] ?? "").join(" | ")} |`),
  "",
  "## Other figures per case",
  "",
  ...cases.flatMap(([name, f]) => [
    `- **${name}**: ${Object.entries(f)
      .filter(([k]) => !(columns as readonly string[]).includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  ]),
  "",
];
writeFileSync(join(outDir, "report.md"), lines.join("\n"));
console.log(`\n${lines.join("\n")}\nreport: ${join(outDir, "report.md")}`);
process.exit(code);
