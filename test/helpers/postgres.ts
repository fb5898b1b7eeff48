import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../scripts/free-port.ts";
import { eventually, GiveUp } from "./kafka.ts";
import { atFileEnd, stopChild } from "./teardown.ts";

/**
 * A PostgreSQL server program: Debian keeps them under /usr/lib/postgresql/<major>/bin (the newest
 * major wins), elsewhere they are on PATH. The test set-up (`--servers`) installs Debian's package.
 */
export function postgresProgram(name: "initdb" | "postgres"): string {
  const lib = "/usr/lib/postgresql";
  if (existsSync(lib)) {
    const majors = readdirSync(lib)
      .filter((major) => existsSync(join(lib, major, "bin", name)))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(lib, majors[0], "bin", name);
  }
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status === 0) return found.stdout.trim();
  throw new Error(
    `PostgreSQL's ${name} is not installed: run the tests through npm (their set-up installs postgresql)`,
  );
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user Debian's package creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith("postgres:"));
  if (!entry)
    throw new Error("running as root, and no `postgres` user to run PostgreSQL as (Debian's package creates it)");
  const [, , uid, gid] = entry.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export interface PostgresServer {
  /** `postgres://kafka_pair:<password>@127.0.0.1:<port>/postgres`: the server's own database. */
  url: string;
  /** A new empty database on the server, answered as its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: open sessions are cut) and keeps its files for `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function queryOnce(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseFactory(url: string): () => Promise<string> {
  return async () => {
    const name = `kp_${randomBytes(6).toString("hex")}`;
    await queryOnce(url, `CREATE DATABASE ${name}`);
    const created = new URL(url);
    created.pathname = `/${name}`;
    return created.toString();
  };
}

/**
 * The PostgreSQL server of the calling spec file. With TEST_DATABASE_URL (a postgres:// URL of a
 * role that may create databases), that server; otherwise a private one started here: initdb in a
 * temp folder, `postgres` on a free loopback port with password authentication, stopped and
 * removed after the file's tests.
 */
export async function usePostgres(): Promise<PostgresServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    return { url: given, createDatabase: databaseFactory(given), stop: async () => {}, start: async () => {} };
  }
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "kafka-pair-postgres-"));
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const owned = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) chownSync(dir, user.uid, user.gid);
  const pwfile = join(dir, "password");
  writeFileSync(pwfile, password);
  if (user) chownSync(pwfile, user.uid, user.gid);
  const init = spawnSync(
    postgresProgram("initdb"),
    ["-D", data, "-U", "kafka_pair", `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256"].concat([
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]),
    { encoding: "utf8", ...owned },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const as = user ? "postgres" : userInfo().username;
    throw new Error(`initdb (as ${as}) failed: ${init.stderr || init.stdout || String(init.error)}`);
  }
  const port = await freePort();
  const url = `postgres://kafka_pair:${password}@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let log = "";
  const server: PostgresServer = {
    url,
    createDatabase: databaseFactory(url),
    async start() {
      log = "";
      // Throwaway data: no fsync. The socket lives in the folder (not /var/run/postgresql).
      child = spawn(
        postgresProgram("postgres"),
        ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"].concat([
          "-c",
          "fsync=off",
          "-c",
          "full_page_writes=off",
          "-c",
          "shared_buffers=32MB",
        ]),
        { stdio: ["ignore", "ignore", "pipe"], ...owned },
      );
      child.stderr?.on("data", (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-4000);
      });
      const started = child;
      await eventually(
        async () => {
          if (started.exitCode !== null) throw new GiveUp(`postgres exited with ${started.exitCode}: ${log}`);
          await queryOnce(url, "SELECT 1");
          return true;
        },
        30_000,
        `PostgreSQL on port ${port} to accept connections`,
      );
    },
    async stop() {
      const running = child;
      child = undefined;
      await stopChild(running, "SIGINT");
    },
  };
  atFileEnd(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await server.start();
  return server;
}
