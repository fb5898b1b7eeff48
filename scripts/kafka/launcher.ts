/**
 * Local 3-broker Apache Kafka cluster (KRaft, combined broker+controller nodes)
 * run straight from Maven Central jars with the machine's JVM — no Docker.
 *
 * Layout:
 *   jar cache : ${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/kafka-pair}/kafka-<version>/libs
 *   state dir : ${KAFKA_LAUNCHER_DIR:-<repo>/.kafka}/broker-<id>/{server.properties,data,server.log,stdout.log,broker.pid}
 *
 * A second, independent cluster (e.g. for fault injection) needs its own state dir and ports:
 *   KAFKA_LAUNCHER_DIR=/tmp/faults KAFKA_LAUNCHER_PORT_BASE=9192  → brokers 9192-9194, controllers 19192-19194
 * Optional extra listeners on the same brokers (client-facing only; brokers talk PLAINTEXT):
 *   KAFKA_LAUNCHER_SCRAM_USERS="alice:secret,bob:pw"  → SASL_PLAINTEXT SCRAM-SHA-512 on base+10..+12;
 *     the users are written into the storage at format time, so set it before the first `up`.
 *   KAFKA_LAUNCHER_TLS=1  → SSL on base+20..+22, with a self-signed CA made by openssl in <state dir>/tls
 *
 * Brokers are detached JVMs tracked by pid files, so they outlive the Node
 * process that started them and any later process can stop them.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const KAFKA_VERSION = "4.4.0";
const SCALA_VERSION = "2.13";
// Kafka still compiles against slf4j 1.7, so the binding is log4j-slf4j-impl (not -slf4j2-impl).
const LOG4J_VERSION = "2.24.3";
const DEPENDENCY_PLUGIN_VERSION = "3.8.1";

export const BROKER_IDS = [1, 2, 3] as const;
export type BrokerId = (typeof BROKER_IDS)[number];
/** The default cluster's ports (KAFKA_LAUNCHER_PORT_BASE unset); use brokerPort()/bootstrapServers() for the current one. */
export const BROKER_PORTS = [9092, 9093, 9094] as const;
export const CONTROLLER_PORTS = [19092, 19093, 19094] as const;
export const BOOTSTRAP_SERVERS = "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094";
const DEFAULT_PORT_BASE = 9092;
const CONTROLLER_OFFSET = 10_000;
const SASL_OFFSET = 10;
const TLS_OFFSET = 20;

const HOST = "127.0.0.1";
const STARTED_MESSAGE = "Kafka Server started";
const DEFAULT_UP_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 20_000;

type Log = (msg: string) => void;
const quiet: Log = () => {};

// ---------------------------------------------------------------- paths

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Env is read on every call so tests can point the launcher elsewhere before using it.
export function launcherDir(): string {
  return resolve(process.env.KAFKA_LAUNCHER_DIR || join(REPO_ROOT, ".kafka"));
}

export function cacheDir(): string {
  if (process.env.KAFKA_CACHE_DIR) return resolve(process.env.KAFKA_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return resolve(xdg, "kafka-pair");
}

function kafkaHome(): string {
  return join(cacheDir(), `kafka-${KAFKA_VERSION}`);
}

function toolsLog4jPath(): string {
  return join(kafkaHome(), "log4j2-tools.properties");
}

export function brokerPaths(id: BrokerId) {
  const dir = join(launcherDir(), `broker-${id}`);
  return {
    dir,
    config: join(dir, "server.properties"),
    data: join(dir, "data"),
    log: join(dir, "server.log"),
    stdout: join(dir, "stdout.log"),
    pid: join(dir, "broker.pid"),
  };
}

/** First broker port of the current cluster: KAFKA_LAUNCHER_PORT_BASE, 9092 by default. */
export function portBase(): number {
  const raw = process.env.KAFKA_LAUNCHER_PORT_BASE;
  if (!raw) return DEFAULT_PORT_BASE;
  const base = Number(raw);
  // Controllers sit at base+10000, so the base must leave room for them.
  if (!Number.isInteger(base) || base < 1024 || base + CONTROLLER_OFFSET + 2 > 65535) {
    throw new Error(`KAFKA_LAUNCHER_PORT_BASE=${raw}: expected an integer in 1024..55533`);
  }
  return base;
}

export function brokerPort(id: BrokerId): number {
  return portBase() + id - 1;
}

function controllerPort(id: BrokerId): number {
  return portBase() + CONTROLLER_OFFSET + id - 1;
}

/** PLAINTEXT bootstrap list of the current cluster (equals BOOTSTRAP_SERVERS by default). */
export function bootstrapServers(): string {
  return BROKER_IDS.map((id) => `${HOST}:${brokerPort(id)}`).join(",");
}

/** SCRAM users (name → password) for the optional SASL_PLAINTEXT listener, from KAFKA_LAUNCHER_SCRAM_USERS. */
export function scramUsers(): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of (process.env.KAFKA_LAUNCHER_SCRAM_USERS ?? "").split(",")) {
    if (!entry.trim()) continue;
    const at = entry.indexOf(":");
    const [name, password] = [entry.slice(0, at).trim(), entry.slice(at + 1)];
    // Kafka's --add-scram syntax has no quoting for these characters.
    if (at < 1 || !password || /[,=[\]\s]/.test(name + password)) {
      throw new Error("KAFKA_LAUNCHER_SCRAM_USERS: expected name:password[,name:password] without , = [ ] or spaces");
    }
    users.set(name, password);
  }
  return users;
}

function tlsEnabled(): boolean {
  return process.env.KAFKA_LAUNCHER_TLS === "1";
}

export function saslPort(id: BrokerId): number | null {
  return scramUsers().size ? portBase() + SASL_OFFSET + id - 1 : null;
}

export function tlsPort(id: BrokerId): number | null {
  return tlsEnabled() ? portBase() + TLS_OFFSET + id - 1 : null;
}

/** SASL_PLAINTEXT (SCRAM-SHA-512) bootstrap list, or null when no SCRAM user is configured. */
export function saslBootstrapServers(): string | null {
  return scramUsers().size ? BROKER_IDS.map((id) => `${HOST}:${saslPort(id)}`).join(",") : null;
}

/** SSL bootstrap list, or null unless KAFKA_LAUNCHER_TLS=1. */
export function tlsBootstrapServers(): string | null {
  return tlsEnabled() ? BROKER_IDS.map((id) => `${HOST}:${tlsPort(id)}`).join(",") : null;
}

/** Files of the launcher's self-signed TLS setup; clients trust `caCert`. */
export function tlsPaths() {
  const dir = join(launcherDir(), "tls");
  return { dir, caKey: join(dir, "ca.key"), caCert: join(dir, "ca.pem"), brokerPem: join(dir, "broker.pem") };
}

function assertBrokerId(id: number): asserts id is BrokerId {
  if (!(BROKER_IDS as readonly number[]).includes(id)) throw new Error(`unknown broker id ${id} (expected 1, 2 or 3)`);
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- fetch

const ARTIFACTS: Array<{ g: string; a: string; v: string; exclude?: string[] }> = [
  { g: "org.apache.kafka", a: `kafka_${SCALA_VERSION}`, v: KAFKA_VERSION },
  // connect-runtime drags in Jetty/Jersey for the one Connect-only tool; none of the tools we run need it.
  { g: "org.apache.kafka", a: "kafka-tools", v: KAFKA_VERSION, exclude: ["org.apache.kafka:connect-runtime"] },
  { g: "org.apache.logging.log4j", a: "log4j-core", v: LOG4J_VERSION },
  { g: "org.apache.logging.log4j", a: "log4j-slf4j-impl", v: LOG4J_VERSION },
];

// Anything that changes the resolved jar set must change this, so a stale cache is refetched.
const FETCH_SPEC = JSON.stringify({ ARTIFACTS, DEPENDENCY_PLUGIN_VERSION });

function pomXml(): string {
  const deps = ARTIFACTS.map((d) => {
    const excl = (d.exclude ?? [])
      .map((e) => {
        const [g, a] = e.split(":");
        return `<exclusion><groupId>${g}</groupId><artifactId>${a}</artifactId></exclusion>`;
      })
      .join("");
    return `    <dependency><groupId>${d.g}</groupId><artifactId>${d.a}</artifactId><version>${d.v}</version>${
      excl ? `<exclusions>${excl}</exclusions>` : ""
    }</dependency>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/kafka/launcher.ts; only used to resolve the broker classpath. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kafka-pair</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>${DEPENDENCY_PLUGIN_VERSION}</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

const TOOLS_LOG4J = `# Written by scripts/kafka/launcher.ts: CLI tools log warnings to stderr only.
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.err.ref = STDERR
`;

const BROKER_LOG4J = `# Written by scripts/kafka/launcher.ts: everything goes to the broker's own server.log.
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = \${sys:kafka.broker.log}
appender.file.filePattern = \${sys:kafka.broker.log}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
# Upstream defaults: request log is very chatty, controller log is TRACE upstream.
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.controller.name = kafka.controller
logger.controller.level = info
`;

async function writeIfChanged(path: string, content: string): Promise<void> {
  const current = await readFile(path, "utf8").catch(() => null);
  if (current !== content) await writeFile(path, content);
}

function runToLog(cmd: string, args: string[], logPath: string, cwd: string): Promise<number> {
  return new Promise((res, rej) => {
    const fd = openSync(logPath, "a");
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    child.on("error", rej);
    child.on("close", (code) => res(code ?? 1));
  });
}

async function tail(path: string, lines = 40): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}

let fetchInFlight: Promise<{ classpath: string; libDir: string }> | null = null;

/** Resolve the Kafka jars into the cache once; later calls only check the marker. */
export function fetchKafka(opts: { log?: Log } = {}): Promise<{ classpath: string; libDir: string }> {
  fetchInFlight ??= doFetch(opts.log ?? quiet).finally(() => {
    fetchInFlight = null;
  });
  return fetchInFlight;
}

async function doFetch(log: Log): Promise<{ classpath: string; libDir: string }> {
  const home = kafkaHome();
  const libDir = join(home, "libs");
  const marker = join(home, ".fetch-complete.json");
  // Java expands "dir/*" to every jar in dir itself (no shell involved).
  const result = { classpath: join(libDir, "*"), libDir };

  const done = await readFile(marker, "utf8")
    .then((t) => (JSON.parse(t) as { spec?: string }).spec === FETCH_SPEC)
    .catch(() => false);
  if (done && existsSync(libDir)) {
    await writeIfChanged(toolsLog4jPath(), TOOLS_LOG4J);
    return result;
  }

  await mkdir(home, { recursive: true });
  await writeFile(join(home, "pom.xml"), pomXml());
  // Resolve into a private dir and rename, so a concurrent or interrupted fetch never leaves a half-filled libs/.
  const staging = join(home, `libs.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const mvnLog = join(home, "mvn.log");
  await writeFile(mvnLog, `# ${new Date().toISOString()} fetching Kafka ${KAFKA_VERSION}\n`);
  log(`resolving Kafka ${KAFKA_VERSION} from Maven Central into ${libDir} (log: ${mvnLog})`);
  const mvnArgs = [
    "-B",
    "-q",
    "-f",
    join(home, "pom.xml"),
    "dependency:copy-dependencies",
    `-DoutputDirectory=${staging}`,
    "-DincludeScope=runtime",
    "-Dstyle.color=never",
  ];
  let code: number;
  try {
    code = await runToLog(process.env.MVN || "mvn", mvnArgs, mvnLog, home);
  } catch (e) {
    throw new Error(`could not run mvn (${(e as Error).message}); Maven 3 is required to fetch Kafka`);
  }
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`mvn exited ${code} resolving Kafka ${KAFKA_VERSION}; tail of ${mvnLog}:\n${await tail(mvnLog)}`);
  }
  const jars = await readdir(staging);
  for (const needed of [`kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`, `kafka-tools-${KAFKA_VERSION}.jar`]) {
    if (!jars.includes(needed)) throw new Error(`mvn finished but ${needed} is missing from ${staging}`);
  }
  await rm(libDir, { recursive: true, force: true });
  try {
    await rename(staging, libDir);
  } catch (e) {
    // Another process won the race and already put a complete libs/ in place.
    if (!existsSync(libDir)) throw e;
    await rm(staging, { recursive: true, force: true });
  }
  await writeIfChanged(toolsLog4jPath(), TOOLS_LOG4J);
  await writeFile(marker, `${JSON.stringify({ spec: FETCH_SPEC, jars: jars.length, at: new Date().toISOString() })}\n`);
  log(`fetched ${jars.length} jars`);
  return result;
}

// ---------------------------------------------------------------- java tools

export interface JavaResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a Kafka Java class (e.g. org.apache.kafka.tools.TopicCommand) on the resolved classpath. */
export async function kafkaJava(
  mainClass: string,
  args: string[],
  opts: { timeoutMs?: number; heap?: string; jvmArgs?: string[] } = {},
): Promise<JavaResult> {
  const { classpath } = await fetchKafka();
  const jvm = [
    `-Xmx${opts.heap ?? "512m"}`,
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${toolsLog4jPath()}`,
    ...(opts.jvmArgs ?? []),
  ];
  return new Promise((res) => {
    const child = spawn(javaBin(), [...jvm, "-cp", classpath, mainClass, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, opts.timeoutMs)
      : null;
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      res({ code: 127, stdout: "", stderr: `failed to start ${javaBin()}: ${e.message}` });
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      res({
        code: timedOut ? 124 : (code ?? (signal ? 128 : 1)),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: timedOut ? `${stderr}\n[kafkaJava] killed after ${opts.timeoutMs} ms` : stderr,
      });
    });
  });
}

// ---------------------------------------------------------------- process tracking

function cmdlineOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw ? raw.split("\0") : null; // empty for zombies
  } catch {
    return null;
  }
}

// A pid only counts if it is a live process running *this* broker's config; pids get reused.
function isBrokerProcess(pid: number, id: BrokerId): boolean {
  if (!existsSync("/proc/self")) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return cmdlineOf(pid)?.includes(brokerPaths(id).config) ?? false;
}

function recordedPid(id: BrokerId): number | null {
  try {
    const pid = Number.parseInt(readFileSync(brokerPaths(id).pid, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

// Fallback for a lost/overwritten pid file: look for a JVM running this broker's config.
function scanForBroker(id: BrokerId): number | null {
  if (!existsSync("/proc/self")) return null;
  const config = brokerPaths(id).config;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && cmdlineOf(pid)?.includes(config)) return pid;
  }
  return null;
}

/** Pid of the live JVM for broker `id`, or null if it is not running. */
export function brokerPid(id: BrokerId): number | null {
  assertBrokerId(id);
  const pid = recordedPid(id);
  if (pid !== null && isBrokerProcess(pid, id)) return pid;
  return scanForBroker(id);
}

export async function clusterStatus(): Promise<
  Array<{ id: number; port: number; pid: number | null; alive: boolean }>
> {
  return BROKER_IDS.map((id) => {
    const live = brokerPid(id);
    return { id, port: brokerPort(id), pid: live ?? recordedPid(id), alive: live !== null };
  });
}

async function waitGone(pid: number, id: BrokerId, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isBrokerProcess(pid, id)) return true;
    await sleep(100);
  }
  return !isBrokerProcess(pid, id);
}

/**
 * Send `signal` to broker `id` and wait until it is gone. A SIGTERM that has not
 * finished a controlled shutdown within ~20 s is escalated to SIGKILL.
 * Returns false if the broker was not running.
 */
export async function killBroker(id: BrokerId, signal: NodeJS.Signals = "SIGTERM"): Promise<boolean> {
  assertBrokerId(id);
  const pid = brokerPid(id);
  if (pid === null) {
    await rm(brokerPaths(id).pid, { force: true });
    return false;
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already exited between the check and the signal
  }
  if (!(await waitGone(pid, id, signal === "SIGKILL" ? 5_000 : STOP_GRACE_MS))) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    if (!(await waitGone(pid, id, 5_000))) throw new Error(`broker ${id} (pid ${pid}) survived SIGKILL`);
  }
  await rm(brokerPaths(id).pid, { force: true });
  return true;
}

// ---------------------------------------------------------------- locking

let lockChain: Promise<unknown> = Promise.resolve();

/** Serialise state-changing operations within this process and across processes (vitest + a manual `kafka:up`). */
function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = lockChain.then(() => withFileLock(fn));
  lockChain = run.catch(() => undefined);
  return run;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function withFileLock<T>(fn: () => Promise<T>): Promise<T> {
  const dir = launcherDir();
  await mkdir(dir, { recursive: true });
  await writeIfChanged(
    join(dir, ".kafka-launcher"),
    "state dir of scripts/kafka/launcher.ts; safe to delete when brokers are down\n",
  );
  const lock = join(dir, "launcher.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const text = await readFile(lock, "utf8").catch(() => "");
    const holder = Number.parseInt(text, 10);
    if (text && (!(holder > 0) || holder === process.pid || !pidAlive(holder))) {
      await rm(lock, { force: true }); // left behind by a killed launcher
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${holder})`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

// ---------------------------------------------------------------- config + format

function serverProperties(id: BrokerId): string {
  const p = brokerPaths(id);
  const voters = BROKER_IDS.map((n) => `${n}@${HOST}:${controllerPort(n)}`).join(",");
  const listeners = [`PLAINTEXT://${HOST}:${brokerPort(id)}`];
  const protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"];
  const extra: Record<string, string> = {};
  const sasl = saslPort(id);
  if (sasl !== null) {
    listeners.push(`SASL_PLAINTEXT://${HOST}:${sasl}`);
    protocols.push("SASL_PLAINTEXT:SASL_PLAINTEXT");
    extra["sasl.enabled.mechanisms"] = "SCRAM-SHA-512";
    extra["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"] =
      "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  }
  const tls = tlsPort(id);
  if (tls !== null) {
    listeners.push(`SSL://${HOST}:${tls}`);
    protocols.push("SSL:SSL");
    // PEM keystore/truststore (KIP-651): no JKS and no keytool needed.
    extra["listener.name.ssl.ssl.keystore.type"] = "PEM";
    extra["listener.name.ssl.ssl.keystore.location"] = tlsPaths().brokerPem;
    extra["listener.name.ssl.ssl.truststore.type"] = "PEM";
    extra["listener.name.ssl.ssl.truststore.location"] = tlsPaths().caCert;
    extra["listener.name.ssl.ssl.client.auth"] = "none";
  }
  const props: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": id,
    // Static quorum: formats with a plain `format -t <id>`, no directory ids to pre-compute.
    "controller.quorum.voters": voters,
    listeners: [...listeners, `CONTROLLER://${HOST}:${controllerPort(id)}`].join(","),
    "advertised.listeners": listeners.join(","),
    "listener.security.protocol.map": protocols.join(","),
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": p.data,
    "num.partitions": 3,
    "default.replication.factor": 3,
    "min.insync.replicas": 2,
    "auto.create.topics.enable": false,
    "offsets.topic.replication.factor": 3,
    "transaction.state.log.replication.factor": 3,
    "transaction.state.log.min.isr": 2,
    // Tests join consumer groups constantly; the 3 s default only slows them down.
    "group.initial.rebalance.delay.ms": 0,
    ...extra,
  };
  const body = Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  return `# Generated by scripts/kafka/launcher.ts; rewritten on every start.\n${body}\n`;
}

function metaClusterId(id: BrokerId): string | null {
  try {
    const text = readFileSync(join(brokerPaths(id).data, "meta.properties"), "utf8");
    return /^cluster\.id=(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

function newClusterId(): string {
  // Same shape as Kafka's Uuid.toString(); a leading '-' would be parsed as a CLI flag.
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** The cluster id on disk wins over the id file, so a lost id file never causes a mismatched reformat. */
async function resolveClusterId(): Promise<string> {
  const onDisk = new Set(BROKER_IDS.map(metaClusterId).filter((x): x is string => x !== null));
  if (onDisk.size > 1) {
    throw new Error(
      `brokers in ${launcherDir()} were formatted with different cluster ids; run \`npm run kafka:down -- --wipe\``,
    );
  }
  const file = join(launcherDir(), "cluster.id");
  const id = [...onDisk][0] ?? (await readFile(file, "utf8").catch(() => "")).trim();
  const clusterId = id || newClusterId();
  await writeIfChanged(file, `${clusterId}\n`);
  return clusterId;
}

async function prepare(log: Log): Promise<string> {
  await fetchKafka({ log });
  const dir = launcherDir();
  await writeIfChanged(join(dir, "log4j2-broker.properties"), BROKER_LOG4J);
  const clusterId = await resolveClusterId();
  const toFormat: BrokerId[] = [];
  for (const id of BROKER_IDS) {
    const p = brokerPaths(id);
    await mkdir(p.dir, { recursive: true });
    await writeIfChanged(p.config, serverProperties(id));
    if (!existsSync(join(p.data, "meta.properties"))) toFormat.push(id);
  }
  if (tlsEnabled()) await ensureTlsFiles(log);
  if (toFormat.length) log(`formatting storage for broker(s) ${toFormat.join(", ")} (cluster id ${clusterId})`);
  // SCRAM credentials go into the bootstrap metadata, so a SASL client can log in as soon as the broker is up.
  const scram = [...scramUsers()].flatMap(([name, password]) => [
    "--add-scram",
    `SCRAM-SHA-512=[name=${name},password=${password}]`,
  ]);
  await Promise.all(
    toFormat.map(async (id) => {
      const r = await kafkaJava(
        "kafka.tools.StorageTool",
        ["format", "--cluster-id", clusterId, "--config", brokerPaths(id).config, "--ignore-formatted", ...scram],
        { heap: "256m", timeoutMs: 120_000 },
      );
      if (r.code !== 0) throw new Error(`formatting broker ${id} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    }),
  );
  return clusterId;
}

// ---------------------------------------------------------------- TLS material

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const err: Buffer[] = [];
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) =>
      rej(new Error(`could not run openssl (${e.message}); it is needed for KAFKA_LAUNCHER_TLS`)),
    );
    child.on("close", (code) =>
      code === 0 ? res() : rej(new Error(`openssl ${args[0]} exited ${code}: ${Buffer.concat(err).toString()}`)),
    );
  });
}

/** A throwaway CA and one broker certificate for 127.0.0.1/localhost, made once per state dir. */
async function ensureTlsFiles(log: Log): Promise<void> {
  const t = tlsPaths();
  if (existsSync(t.brokerPem) && existsSync(t.caCert)) return;
  await mkdir(t.dir, { recursive: true });
  log(`creating a self-signed CA and broker certificate in ${t.dir}`);
  const days = "3650";
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      days,
      "-subj",
      "/CN=kafka-pair launcher CA",
    ],
    t.dir,
  );
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=127.0.0.1"],
    t.dir,
  );
  await writeFile(join(t.dir, "broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      "broker.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "broker.crt",
      "-days",
      days,
      "-extfile",
      "broker.ext",
    ],
    t.dir,
  );
  // Kafka's PEM keystore wants an unencrypted PKCS#8 key followed by the certificate chain.
  await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "broker.key", "-out", "broker.pk8"], t.dir);
  const pem = [await readFile(join(t.dir, "broker.pk8"), "utf8"), await readFile(join(t.dir, "broker.crt"), "utf8")];
  await writeFile(t.brokerPem, pem.join(""));
}

// ---------------------------------------------------------------- start / readiness

function portAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ host: HOST, port });
    const done = (ok: boolean) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

function jvmArgs(id: BrokerId): string[] {
  // KAFKA_HEAP_OPTS keeps its upstream meaning for anyone who needs a bigger heap.
  const heap = (process.env.KAFKA_HEAP_OPTS || "-Xms256m -Xmx1g").split(/\s+/).filter(Boolean);
  return [
    ...heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${join(launcherDir(), "log4j2-broker.properties")}`,
    `-Dkafka.broker.log=${brokerPaths(id).log}`,
  ];
}

async function fileSize(path: string): Promise<number> {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Fail before spawning anything if a foreign process holds one of our ports. */
async function assertPortsFree(ids: readonly BrokerId[]): Promise<void> {
  for (const id of ids) {
    const ports = [brokerPort(id), controllerPort(id), saslPort(id), tlsPort(id)].filter((p) => p !== null);
    for (const port of ports) {
      if (await portAccepts(port, 500)) {
        throw new Error(`port ${port} is already in use by something other than broker ${id} of ${launcherDir()}`);
      }
    }
  }
}

/** Spawn a detached broker JVM; returns the byte offset of its log before start (to look for the started line). */
async function spawnBroker(id: BrokerId, log: Log): Promise<number> {
  const p = brokerPaths(id);
  const { classpath } = await fetchKafka();
  const logOffset = await fileSize(p.log);
  const out = openSync(p.stdout, "a");
  const child = spawn(javaBin(), [...jvmArgs(id), "-cp", classpath, "kafka.Kafka", p.config], {
    cwd: p.dir,
    detached: true, // own session: survives Ctrl-C and the death of this Node process
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const spawnError = new Promise<Error>((res) => child.once("error", res));
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start broker ${id}: ${(await spawnError).message}`);
  await writeFile(p.pid, `${child.pid}\n`);
  log(`broker ${id} starting (pid ${child.pid}, port ${brokerPort(id)}, log ${p.log})`);
  return logOffset;
}

async function logSince(path: string, offset: number): Promise<string> {
  const size = await fileSize(path);
  const from = size < offset ? 0 : offset; // rolled over since we looked
  const fh = await open(path, "r").catch(() => null);
  if (!fh) return "";
  try {
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    return buf.toString("utf8");
  } finally {
    await fh.close();
  }
}

async function brokerFailure(id: BrokerId, why: string, logOffset?: number): Promise<Error> {
  const p = brokerPaths(id);
  // Only what this start wrote: an older run's last lines would point at the wrong problem.
  const text =
    logOffset === undefined ? await tail(p.log) : (await logSince(p.log, logOffset)).split("\n").slice(-41).join("\n");
  const parts = [`broker ${id} ${why}`, `--- tail of ${p.log} ---`, text.trim() || "(nothing logged yet)"];
  const out = (await tail(p.stdout, 20)).trim();
  if (out) parts.push(`--- tail of ${p.stdout} ---`, out);
  return new Error(parts.join("\n"));
}

/**
 * Ready = JVM alive, "Kafka Server started" logged (for ones we just launched), and its own
 * metadata lists every broker in `expected()` (all three for clusterUp; whoever is alive for a
 * single restart, so bringing back one of two dead brokers does not wait for the other).
 */
async function waitReady(
  ids: readonly BrokerId[],
  starting: Map<BrokerId, number>,
  clusterId: string,
  timeoutMs: number,
  log: Log,
  expected: () => readonly BrokerId[] = () => BROKER_IDS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const logged = new Set<BrokerId>();
  let lastWhy = new Map<BrokerId, string>();
  for (;;) {
    const why = new Map<BrokerId, string>();
    for (const id of ids) {
      if (brokerPid(id) === null) throw await brokerFailure(id, "exited while starting", starting.get(id));
      const offset = starting.get(id);
      if (offset !== undefined && !logged.has(id)) {
        if ((await logSince(brokerPaths(id).log, offset)).includes(STARTED_MESSAGE)) logged.add(id);
        else {
          why.set(id, `no "${STARTED_MESSAGE}" in its log yet`);
          continue;
        }
      }
      let md: ClusterMetadata;
      try {
        md = await metadataProbe(brokerPort(id), 2_000);
      } catch (e) {
        why.set(id, `metadata request failed: ${(e as Error).message}`);
        continue;
      }
      if (md.clusterId !== clusterId) {
        throw await brokerFailure(
          id,
          `answers with cluster id ${md.clusterId}, expected ${clusterId}`,
          starting.get(id),
        );
      }
      const seen = md.brokers.map((b) => b.nodeId).sort();
      if (!expected().every((n) => seen.includes(n))) why.set(id, `metadata lists brokers [${seen.join(",")}]`);
    }
    if (why.size === 0) return;
    if (Date.now() > deadline) {
      const [id, reason] = [...why][0] as [BrokerId, string];
      throw await brokerFailure(id, `not ready after ${Math.round(timeoutMs / 1000)} s: ${reason}`, starting.get(id));
    }
    if ([...why].join() !== [...lastWhy].join()) {
      for (const [id, reason] of why) log(`waiting for broker ${id}: ${reason}`);
    }
    lastWhy = why;
    await sleep(500);
  }
}

/** Bring all three brokers up (fetching and formatting as needed) and wait until the cluster is usable. */
export async function clusterUp(
  opts: { log?: Log; timeoutMs?: number } = {},
): Promise<{ bootstrapServers: string; started: boolean }> {
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const clusterId = await prepare(log);
    const toStart = BROKER_IDS.filter((id) => brokerPid(id) === null);
    await assertPortsFree(toStart);
    const starting = new Map<BrokerId, number>();
    try {
      for (const id of toStart) {
        await rm(brokerPaths(id).pid, { force: true });
        starting.set(id, await spawnBroker(id, log));
      }
      await waitReady(BROKER_IDS, starting, clusterId, opts.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS, log);
    } catch (e) {
      // Leave nothing half-started behind; brokers that were already up are not ours to stop.
      await Promise.all([...starting.keys()].map((id) => killBroker(id, "SIGKILL").catch(() => false)));
      throw e;
    }
    if (starting.size) log(`cluster ready at ${bootstrapServers()}`);
    return { bootstrapServers: bootstrapServers(), started: starting.size > 0 };
  });
}

/** (Re)start one broker, e.g. after killBroker(id, "SIGKILL") in a fault test, and wait until it has rejoined. */
export async function startBroker(
  id: BrokerId,
  opts: { log?: Log; timeoutMs?: number; wait?: boolean } = {},
): Promise<{ pid: number; started: boolean }> {
  assertBrokerId(id);
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const running = brokerPid(id);
    if (running !== null) return { pid: running, started: false };
    const clusterId = await prepare(log);
    await assertPortsFree([id]);
    const offset = await spawnBroker(id, log);
    if (opts.wait !== false) {
      try {
        const alive = () => BROKER_IDS.filter((n) => brokerPid(n) !== null);
        await waitReady([id], new Map([[id, offset]]), clusterId, opts.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS, log, alive);
      } catch (e) {
        await killBroker(id, "SIGKILL").catch(() => false);
        throw e;
      }
    }
    return { pid: brokerPid(id) ?? -1, started: true };
  });
}

/** Stop every broker (SIGTERM, SIGKILL after ~20 s); `wipe` also deletes the whole state dir. */
export async function clusterDown(opts: { wipe?: boolean; log?: Log } = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const dir = launcherDir();
  if (!existsSync(dir)) return;
  await withLock(async () => {
    const stopped = await Promise.all(BROKER_IDS.map((id) => killBroker(id, "SIGTERM")));
    const n = stopped.filter(Boolean).length;
    log(n ? `stopped ${n} broker(s)` : "no broker was running");
    if (opts.wipe) {
      // Refuse to rm -rf a directory this launcher did not create (KAFKA_LAUNCHER_DIR typo).
      if (!existsSync(join(dir, ".kafka-launcher"))) throw new Error(`${dir} is not a launcher state dir; not wiping`);
      await rm(dir, { recursive: true, force: true });
      log(`wiped ${dir}`);
    }
  });
}

// ---------------------------------------------------------------- wire-level metadata probe

/**
 * Minimal Kafka protocol client (ApiVersions v0 + Metadata v4..v12) so readiness and
 * status checks cost one TCP round trip instead of a JVM start.
 */
export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number }>;
}

class Writer {
  private parts: Buffer[] = [];
  int8(v: number) {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    this.parts.push(b);
    return this;
  }
  int16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  string(s: string) {
    const data = Buffer.from(s, "utf8");
    this.int16(data.length);
    this.parts.push(data);
    return this;
  }
  uvarint(v: number) {
    const bytes: number[] = [];
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  build() {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private off = 0;
  constructor(private buf: Buffer) {}
  int16() {
    const v = this.buf.readInt16BE(this.off);
    this.off += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }
  uvarint() {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf.readUInt8(this.off++);
      v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v >>> 0;
      shift += 7;
    }
  }
  bytes(n: number) {
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.bytes(n).toString("utf8");
  }
  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.bytes(n - 1).toString("utf8");
  }
  skipTaggedFields() {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint();
      this.bytes(this.uvarint());
    }
  }
}

function roundTrip(port: number, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((res, rej) => {
    const sock = createConnection({ host: HOST, port });
    let buf = Buffer.alloc(0);
    const fail = (e: Error) => {
      sock.destroy();
      rej(e);
    };
    const timer = setTimeout(() => fail(new Error(`no answer from ${HOST}:${port} within ${timeoutMs} ms`)), timeoutMs);
    sock.once("connect", () => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(request.length);
      sock.write(Buffer.concat([size, request]));
    });
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        res(buf.subarray(4, 4 + buf.readInt32BE(0)));
      }
    });
    sock.once("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    sock.once("close", () => {
      clearTimeout(timer);
      rej(new Error(`connection to ${HOST}:${port} closed`));
    });
  });
}

const CLIENT_ID = "kafka-pair-launcher";

async function apiVersionRange(port: number, apiKey: number, timeoutMs: number): Promise<[number, number] | null> {
  // ApiVersions v0 is what every broker generation must answer, to let clients negotiate.
  const req = new Writer().int16(18).int16(0).int32(1).string(CLIENT_ID).build();
  const r = new Reader(await roundTrip(port, req, timeoutMs));
  r.int32(); // correlation id
  r.int16(); // error code; an UNSUPPORTED_VERSION answer still carries the list
  for (let n = r.int32(); n > 0; n--) {
    const key = r.int16();
    const min = r.int16();
    const max = r.int16();
    if (key === apiKey) return [min, max];
  }
  return null;
}

/** One Metadata request (no topics) to the broker on `port`. */
export async function metadataProbe(port: number, timeoutMs = 2_000): Promise<ClusterMetadata> {
  const range = await apiVersionRange(port, 3, timeoutMs);
  if (!range) throw new Error(`broker on port ${port} does not offer Metadata`);
  const version = Math.min(range[1], 12);
  if (version < 4 || version < range[0])
    throw new Error(`no Metadata version in 4..12 on port ${port} (${range.join("..")})`);
  const flexible = version >= 9;
  const w = new Writer().int16(3).int16(version).int32(2).string(CLIENT_ID);
  if (flexible) {
    w.uvarint(0); // header tagged fields
    w.uvarint(1); // topics: empty compact array (null would mean "all topics")
    w.int8(0); // allow_auto_topic_creation
    if (version <= 10) w.int8(0); // include_cluster_authorized_operations
    w.int8(0); // include_topic_authorized_operations
    w.uvarint(0);
  } else {
    w.int32(0).int8(0);
    if (version >= 8) w.int8(0).int8(0);
  }
  const r = new Reader(await roundTrip(port, w.build(), timeoutMs));
  r.int32(); // correlation id
  if (flexible) r.skipTaggedFields();
  r.int32(); // throttle_time_ms
  const brokers: ClusterMetadata["brokers"] = [];
  const count = flexible ? r.uvarint() - 1 : r.int32();
  for (let i = 0; i < count; i++) {
    const nodeId = r.int32();
    const host = (flexible ? r.compactNullableString() : r.nullableString()) ?? "";
    const bport = r.int32();
    if (flexible) {
      r.compactNullableString(); // rack
      r.skipTaggedFields();
    } else r.nullableString();
    brokers.push({ nodeId, host, port: bport });
  }
  const clusterId = flexible ? r.compactNullableString() : r.nullableString();
  const controllerId = r.int32();
  return { clusterId, controllerId, brokers };
}
