/**
 * Versions, ports and paths of the launcher's cluster. Env is read on every call, so tests can point
 * the launcher elsewhere before using it:
 *   jar cache : ${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/kafka-pair}/kafka-<version>/libs
 *   state dir : ${KAFKA_LAUNCHER_DIR:-<repo>/.kafka}/broker-<id>/{server.properties,data,server.log,stdout.log,broker.pid}
 *   ports     : KAFKA_LAUNCHER_PORT_BASE (9092) → brokers base..base+2, controllers base+10000..
 *   extras    : KAFKA_LAUNCHER_SCRAM_USERS="alice:secret" (SASL_PLAINTEXT on base+10..),
 *               KAFKA_LAUNCHER_TLS=1 (SSL on base+20.., self-signed CA in <state dir>/tls)
 */
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const KAFKA_VERSION = "4.4.0";

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

export const HOST = "127.0.0.1";
export const STARTED_MESSAGE = "Kafka Server started";
export const DEFAULT_UP_TIMEOUT_MS = 90_000;
export const STOP_GRACE_MS = 20_000;

export type Log = (msg: string) => void;
export const quiet: Log = () => {};

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

export function kafkaHome(): string {
  return join(cacheDir(), `kafka-${KAFKA_VERSION}`);
}

export function toolsLog4jPath(): string {
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

export function controllerPort(id: BrokerId): number {
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

export function tlsEnabled(): boolean {
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

export function assertBrokerId(id: number): asserts id is BrokerId {
  if (!(BROKER_IDS as readonly number[]).includes(id)) throw new Error(`unknown broker id ${id} (expected 1, 2 or 3)`);
}

export function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
