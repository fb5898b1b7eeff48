import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

let ticks: number | undefined;

function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Fields after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number | "self" | `${number}/task/${number}`): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** utime + stime in seconds: fields 14 and 15 of stat (fields[0] here is field 3). */
const cpuSecondsOf = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) / clockTicks();

/** User + system CPU seconds of a live process, all its threads included (librdkafka's too). */
export function processCpuSeconds(pid: number): number {
  return cpuSecondsOf(statFields(pid));
}

/**
 * User + system CPU seconds of a live process's main thread alone: in a Node worker the thread
 * that runs the JavaScript, which bounds a CPU-bound consumer's rate (GC helpers and librdkafka's
 * threads run beside it, on the other core when there is one free).
 */
export function mainThreadCpuSeconds(pid: number): number {
  return cpuSecondsOf(statFields(`${pid}/task/${pid}`));
}

/** A reading of a process that may be gone (its /proc entry with it): NaN then, not zero. */
export function orNaN(read: () => number): number {
  try {
    return read();
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of this process's children that have exited and been waited for. */
export function reapedChildrenCpuSeconds(): number {
  const fields = statFields("self");
  return (Number(fields[13]) + Number(fields[14])) / clockTicks();
}

/**
 * Pids of the local processes listening on `ports` (the brokers, from the bootstrap list), found
 * through /proc/net/tcp{,6} and each process's socket descriptors. Empty when the brokers are not
 * local processes this user can see (a container, another host): their CPU is then not reported.
 */
export function listeningPids(ports: number[]): number[] {
  const wanted = new Set(ports);
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, st 0A is LISTEN, inode is column 10.
      const port = Number.parseInt(cols[1]?.split(":")[1] ?? "", 16);
      if (cols[3] === "0A" && wanted.has(port) && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) {
          pids.push(Number(entry));
          break;
        }
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** Summed CPU seconds of live processes; a process that has gone counts as NaN. */
export function totalCpuSeconds(pids: number[]): number {
  return pids.reduce((total, pid) => total + orNaN(() => processCpuSeconds(pid)), 0);
}
