import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Where a frame's code lives: a package, one of ours, Node itself, or V8 (GC, idle, native). */
function owner(url: string): string {
  if (!url) return "(v8: gc, idle, native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith("node:")) return "node:internal";
  const ours = /\/work\/[^/]+\/([^/]+\/src\/[^/]+|bench|shared\/src\/[^/]+)/.exec(url);
  return ours ? (ours[1] as string) : url.replace(/^file:\/\//, "");
}

export interface ProfileSummary {
  file: string;
  busySamples: number;
  totalMs: number;
  byOwner: Array<{ owner: string; pct: number }>;
  topFunctions: Array<{ fn: string; pct: number }>;
}

/** Self time from a V8 .cpuprofile, grouped by package and by function. */
export function summarizeProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length || 1;
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const who = functionName === "(idle)" ? "(idle)" : owner(url);
    owners.set(who, (owners.get(who) ?? 0) + count);
    const fn = `${functionName || "(anonymous)"} ${who}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + count);
  }
  const pct = (n: number) => Math.round((n / total) * 1000) / 10;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    file,
    busySamples: total - (owners.get("(idle)") ?? 0),
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byOwner: sorted(owners).map(([o, n]) => ({ owner: o, pct: pct(n) })),
    topFunctions: sorted(functions).map(([fn, n]) => ({ fn, pct: pct(n) })),
  };
}

/** Per worker directory, the busiest thread's profile: the main thread, not tsx's loader. */
export function summarizeProfiles(dir: string): ProfileSummary[] {
  let workers: string[] = [];
  try {
    workers = readdirSync(dir);
  } catch {
    return [];
  }
  return workers.flatMap((worker) => {
    const threads = readdirSync(join(dir, worker))
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => summarizeProfile(join(dir, worker, f)))
      .sort((a, b) => b.busySamples - a.busySamples);
    return threads.slice(0, 1);
  });
}
