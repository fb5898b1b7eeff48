/**
 * The everyday loop, measured as a user lives it: a documented command runs in a real terminal
 * (a tmux pane), it is stopped (Ctrl-C typed into the pane, or a signal sent to the pane's
 * foreground process group), started again, and the clock runs until the restarted consumer
 * handles the next health ping. Pings go to a producer (`--ping`) every 250 ms throughout.
 *
 *   npx tsx bench/measure/dev-loop.ts --command "npm run dev -w consumer" \
 *     --ping http://127.0.0.1:4401/kafka/health [--stop ctrl-c|SIGINT|SIGTERM] [--rounds 3]
 *     [--handled-in consumer.log]   (a producer command: pings are handled by a consumer logging there)
 *
 * Environment for the command: this process's (KAFKA_BOOTSTRAP_SERVERS, KAFKA_NAMESPACE, PORT…).
 * Reports per round: how long the stop took, its exit code, whether the log says the worker
 * drained ("consumer stopped") and was not forced, and restart → next handled ping.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    command: { type: "string" },
    ping: { type: "string" },
    stop: { type: "string", default: "ctrl-c" },
    rounds: { type: "string", default: "3" },
    timeout: { type: "string", default: "90" },
    // For a producer command: the log file of a consumer running elsewhere, where handled pings show.
    "handled-in": { type: "string" },
  },
});
if (!values.command || !values.ping) {
  console.error(
    'usage: dev-loop.ts --command "<cmd>" --ping <producer url>/kafka/health [--stop ctrl-c|SIGINT|SIGTERM]',
  );
  process.exit(2);
}
const command = values.command;
const pingUrl = values.ping;
const timeoutMs = Number(values.timeout) * 1000;

const dir = mkdtempSync(join(tmpdir(), "dev-loop-"));
const output = join(dir, "pane.log");
writeFileSync(output, "");
const session = `dev-loop-${process.pid}`;
// A tmux server of its own (-L): it inherits this environment, and nobody else's sessions are in reach.
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", session, ...args], { encoding: "utf8" }).trim();

// A plain shell in a pane the size of a terminal; everything the pane shows goes to `output`.
tmux("new-session", "-d", "-s", session, "-x", "220", "-y", "50", "-c", process.cwd(), "bash --norc --noprofile");
tmux("pipe-pane", "-t", session, "-o", `cat >> ${output}`);
const type = (line: string) => {
  tmux("send-keys", "-t", session, "-l", line);
  tmux("send-keys", "-t", session, "Enter");
};
type("export PS1='$ '");

const text = () => readFileSync(output, "utf8");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (what: string, test: () => boolean) => {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${text().slice(-3000)}`);
    await sleep(50);
  }
};
// Where handled pings show: the pane (a consumer command), or another consumer's log file.
const handledText = () => (values["handled-in"] ? readFileSync(values["handled-in"], "utf8") : text());
const handled = (from: number) => /Consumed message: ok/.test(handledText().slice(from));
const shellPid = Number(tmux("display", "-p", "-t", session, "#{pane_pid}"));
const foregroundGroup = () =>
  Number(execFileSync("ps", ["-o", "tpgid=", "-p", String(shellPid)], { encoding: "utf8" }));
const idle = () => foregroundGroup() === shellPid;

let pinging = true;
void (async () => {
  while (pinging) {
    await fetch(pingUrl).catch(() => undefined);
    await sleep(250);
  }
})();

const rows: string[] = [];
try {
  let mark = text().length;
  let handledMark = handledText().length;
  const first = Date.now();
  type(command);
  await waitFor("the first handled ping", () => handled(handledMark));
  rows.push(`start → first handled ping: ${((Date.now() - first) / 1000).toFixed(1)} s`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    await sleep(1000);
    mark = text().length;
    const stopAt = Date.now();
    if (values.stop === "ctrl-c") tmux("send-keys", "-t", session, "C-c");
    else process.kill(-foregroundGroup(), values.stop as NodeJS.Signals);
    // The shell may get its prompt back first (npm exits on a group SIGTERM at once): the
    // stop is done when the command has exited and the worker logged that it stopped.
    await waitFor("the command to exit", idle);
    await waitFor("the worker's last line", () =>
      /(consumer|producer) stopped|second stop signal/.test(text().slice(mark)),
    );
    const stopMs = Date.now() - stopAt;
    type("echo exit=$?");
    await waitFor("the exit code", () => /exit=\d+/.test(text().slice(mark)));
    const stopLog = text().slice(mark);
    const exit = /exit=(\d+)/.exec(stopLog)?.[1];
    const drained = /(consumer|producer) stopped/.test(stopLog);
    const forced = /second stop signal|Force killing|SIGKILL/.test(stopLog);
    mark = text().length;
    handledMark = handledText().length;
    const restartAt = Date.now();
    type(command);
    await waitFor("a ping handled after the restart", () => handled(handledMark));
    rows.push(
      `round ${round}: stop ${(stopMs / 1000).toFixed(1)} s (exit ${exit}, drained ${drained}, forced ${forced}); ` +
        `restart → next handled ping ${((Date.now() - restartAt) / 1000).toFixed(1)} s`,
    );
    console.log(rows.at(-1));
  }
  mark = text().length;
  tmux("send-keys", "-t", session, "C-c");
  await waitFor("the last stop", () => idle() && /(consumer|producer) stopped/.test(text().slice(mark)));
} finally {
  pinging = false;
  console.log(`\n${command} (stop: ${values.stop})\n${rows.map((r) => `  ${r}`).join("\n")}\n  pane log: ${output}`);
  tmux("kill-server");
}
