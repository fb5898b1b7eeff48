// Deno on librdkafka through FFI, measured against Node's Confluent binding and Deno's
// @platformatic/kafka fallback: client-raw (the transport alone, bench/measure/client-raw-runtime.ts)
// and http-single (one event per POST to the producer worker), each REPEAT times, plus one
// 100k-record Deno FFI run with RSS sampled. CPU time per event comes from /proc/<pid>/stat,
// because the machine is shared and rates alone say little.
// Usage: KAFKA_BOOTSTRAP_SERVERS=... npx tsx bench/measure/deno-ffi.ts [--records 20000] [--requests 5000] [--repeat 3]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePort } from "../../scripts/free-port.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const deno = `${root}node_modules/.bin/deno`;
const denoFlags = ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "--allow-ffi"];
const { values } = parseArgs({
  options: {
    records: { type: "string", default: "20000" },
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    repeat: { type: "string", default: "3" },
    rss: { type: "string", default: "100000" },
  },
});
const bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;
if (!bootstrap) throw new Error("set KAFKA_BOOTSTRAP_SERVERS");

interface Peer {
  label: string;
  runtime: "node" | "deno";
  transport: string;
  window?: number;
}
const peers: Peer[] = [
  { label: "Node confluent", runtime: "node", transport: "confluent" },
  { label: "Deno FFI", runtime: "deno", transport: "confluent" },
  // 1000 records in flight outlast its delivery timeout: it sends them one request at a time.
  { label: "Deno platformatic", runtime: "deno", transport: "platformatic", window: 100 },
];

function command(peer: Peer, script: string): [string, string[]] {
  return peer.runtime === "deno" ? [deno, [...denoFlags, script]] : [process.execPath, ["--import", "tsx", script]];
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-1500)}`)),
    );
  });
}

interface RawResult {
  produce: { perSec: number; cpuUsPerRecord: number };
  consume: { perSec: number; cpuUsPerRecord: number };
  rss: Array<{ phase: string; done: number; mb: number }>;
}

async function clientRaw(peer: Peer, records: number): Promise<RawResult> {
  const [cmd, args] = command(peer, "bench/measure/client-raw-runtime.ts");
  const out = await run(cmd, args, {
    KAFKA_BOOTSTRAP_SERVERS: bootstrap as string,
    TRANSPORT: peer.transport,
    RECORDS: String(records),
    WINDOW: String(peer.window ?? 1000),
    LOG_LEVEL: "warn",
  });
  const line = out.split("\n").find((l) => l.startsWith('{"runtime"'));
  if (!line) throw new Error(`no result from ${peer.label}: ${out.slice(-500)}`);
  return JSON.parse(line) as RawResult;
}

/** User + system CPU of a process in ms. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function httpSingle(peer: Peer, requests: number, concurrency: number) {
  const port = await freePort();
  const [cmd, args] = command(peer, "producer/src/main.deno.ts");
  const script = peer.runtime === "deno" ? args : [args[0] ?? "", args[1] ?? "", "producer/src/main.ts"];
  const child = spawn(cmd, script, {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: bootstrap,
      TRANSPORT: peer.transport,
      KAFKA_NAMESPACE: `measure-${Date.now()}.`,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${url}/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${peer.label} producer not ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const body = () =>
    JSON.stringify({
      orderId: crypto.randomUUID(),
      customerId: "c-1",
      currency: "EUR",
      lines: [{ sku: "SKU-1", quantity: 1, unitPriceCents: 100 }],
      placedAt: new Date().toISOString(),
    });
  const post = () =>
    fetch(`${url}/topics/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: body() });
  // Warm-up: connections, JIT, the producer id.
  await Promise.all(Array.from({ length: concurrency }, post));
  const pid = child.pid as number;
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const res = await post();
        await res.body?.cancel();
        if (res.status !== 201) failed++;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = cpuMsOf(pid) - cpu0;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { perSec: Math.round(requests / (ms / 1000)), cpuUsPerEvent: Math.round((cpu * 1000) / requests), failed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cell = (xs: number[]) => `${median(xs)} [${Math.min(...xs)}–${Math.max(...xs)}]`;

const records = Number(values.records);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const repeat = Number(values.repeat);
const raw = new Map<string, RawResult[]>();
const http = new Map<string, Array<{ perSec: number; cpuUsPerEvent: number; failed: number }>>();
for (let i = 0; i < repeat; i++) {
  // Interleaved, so that a busy minute on the shared machine hits every peer alike.
  for (const peer of peers) {
    const r = await clientRaw(peer, records).catch((err: Error) => {
      console.error(`client-raw ${peer.label} #${i + 1} failed: ${err.message.slice(0, 300)}`);
      return undefined;
    });
    if (r) raw.set(peer.label, [...(raw.get(peer.label) ?? []), r]);
    if (r)
      console.error(
        `client-raw ${peer.label} #${i + 1}: ${JSON.stringify({ produce: r.produce, consume: r.consume })}`,
      );
    const h = await httpSingle(peer, requests, concurrency);
    http.set(peer.label, [...(http.get(peer.label) ?? []), h]);
    console.error(`http-single ${peer.label} #${i + 1}: ${JSON.stringify(h)}`);
  }
}

const lines = [
  `client-raw: ${records} records of ~200 B, 1000 in flight (platformatic: 100); http-single: ${requests} POSTs, ${concurrency} concurrent. Median [min–max] of ${repeat}.`,
  "",
  "| peer | raw produce/s | µs CPU/record | raw consume/s | µs CPU/record | http-single req/s | µs CPU/event (worker) |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const peer of peers) {
  const r = raw.get(peer.label) ?? [];
  const h = http.get(peer.label) ?? [];
  lines.push(
    `| ${peer.label} | ${cell(r.map((x) => x.produce.perSec))} | ${cell(r.map((x) => x.produce.cpuUsPerRecord))} | ${cell(r.map((x) => x.consume.perSec))} | ${cell(r.map((x) => x.consume.cpuUsPerRecord))} | ${cell(h.map((x) => x.perSec))} | ${cell(h.map((x) => x.cpuUsPerEvent))} |`,
  );
}
const med = (label: string, pick: (r: RawResult) => number) => median((raw.get(label) ?? []).map(pick));
const medH = (label: string) => median((http.get(label) ?? []).map((x) => x.perSec));
const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));
lines.push(
  "",
  `Deno FFI / Node client-raw produce: ${ratio(
    med("Deno FFI", (r) => r.produce.perSec),
    med("Node confluent", (r) => r.produce.perSec),
  )}`,
  `Deno FFI / Node client-raw consume: ${ratio(
    med("Deno FFI", (r) => r.consume.perSec),
    med("Node confluent", (r) => r.consume.perSec),
  )}`,
  `Deno FFI / Node http-single: ${ratio(medH("Deno FFI"), medH("Node confluent"))}`,
  `Deno FFI / Deno platformatic http-single: ${ratio(medH("Deno FFI"), medH("Deno platformatic"))}`,
);

if (Number(values.rss) > 0) {
  const r = await clientRaw(peers[1] as Peer, Number(values.rss));
  lines.push(
    "",
    `Deno FFI, ${values.rss} records produced then consumed, RSS (MB) at each tenth: ${r.rss.map((s) => `${s.phase[0]}${s.done}:${s.mb}`).join(" ")}`,
    `  produce ${r.produce.perSec}/s (${r.produce.cpuUsPerRecord} µs CPU/record), consume ${r.consume.perSec}/s (${r.consume.cpuUsPerRecord} µs CPU/record)`,
  );
}
console.log(lines.join("\n"));
