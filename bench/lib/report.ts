import type { ScenarioResult } from "./result.ts";

export interface Ratio {
  name: string;
  numerator: string;
  denominator: string;
  value?: number;
  /** The project's target for this ratio, when it has one. */
  target?: number;
  met?: boolean;
  extra?: string;
}

const okRow = (results: ScenarioResult[], id: string) => results.find((r) => r.id === id && r.status === "ok");

function best(results: ScenarioResult[], ids: string[]): ScenarioResult | undefined {
  return ids
    .map((id) => okRow(results, id))
    .filter((r): r is ScenarioResult => r !== undefined)
    .sort((a, b) => b.msgsPerS - a.msgsPerS)[0];
}

/** The ratios the project steers by, from one run's rows. */
export function ratios(results: ScenarioResult[]): Ratio[] {
  const single = okRow(results, "http-single");
  const batch = best(results, ["http-batch (json)", "http-batch (ndjson)"]);
  const raw = okRow(results, "client-raw");
  const java = okRow(results, "java-limit");
  const manual = okRow(results, "consume-manual");
  const auto = okRow(results, "consume-auto");
  const peer = okRow(results, "kafkajs http-single");
  const manualPeer = okRow(results, "kafkajs consume-manual");
  const consumeJava = okRow(results, "consume-java-limit");
  const denoFfi = okRow(results, "deno-ffi http-single");
  const denoPlatformatic = okRow(results, "deno-platformatic http-single");
  const denoRaw = okRow(results, "deno-ffi client-raw");
  const ratio = (
    name: string,
    a: ScenarioResult | undefined,
    b: ScenarioResult | undefined,
    target?: number,
  ): Ratio => {
    const value = a && b && b.msgsPerS > 0 ? a.msgsPerS / b.msgsPerS : undefined;
    return {
      name,
      numerator: a?.id ?? "",
      denominator: b?.id ?? "",
      value,
      target,
      met: value === undefined || target === undefined ? undefined : value >= target,
    };
  };
  const vsPeer = ratio("http-single / KafkaJS http-single", single, peer, 2);
  // The tutorial's server A on the same load: rate, and CPU per request beside it.
  const springA = okRow(results, "spring-a http-single");
  const vsSpringA = ratio("http-single / Spring A http-single", single, springA);
  const cpuA = springA ? per1k(springA, springA.cpu?.edge) : undefined;
  const cpuEdge = single ? per1k(single, single.cpu?.edge) : undefined;
  if (cpuA !== undefined && cpuEdge !== undefined) {
    vsSpringA.extra = `CPU per POST ${cpuEdge.toFixed(0)} vs ${cpuA.toFixed(0)} µs: ${(cpuA / cpuEdge).toFixed(1)}× less`;
  }
  if (single?.latency && peer?.latency) {
    const lowerP99 = single.latency.p99Ms < peer.latency.p99Ms;
    vsPeer.extra = `p99 ${single.latency.p99Ms} vs ${peer.latency.p99Ms} ms`;
    if (vsPeer.met !== undefined) vsPeer.met = vsPeer.met && lowerP99;
  }
  // The consumer's orderings and the tutorial's server B, with and without the handler's I/O wait.
  const byPrefix = (prefix: string, io: boolean) =>
    results.find((r) => r.status === "ok" && r.id.startsWith(prefix) && (r.id.endsWith("no I/O)") ? !io : io));
  const consumerRows = [true, false].flatMap((io) => {
    const label = io ? "I/O" : "no I/O";
    const key = byPrefix("consume key (", io);
    return [
      ratio(`consume key / consume partition (${label})`, key, byPrefix("consume partition (", io), io ? 10 : 0.9),
      ratio(`consume key / Spring B c1 (${label})`, key, byPrefix("spring-b c1 (", io), 20),
      ratio(`consume key / Spring B c3 (${label})`, key, byPrefix("spring-b c3 (", io)),
    ];
  });
  return [
    ratio("http-single / client-raw", single, raw),
    ratio(`http-batch / client-raw`, batch, raw, 0.6),
    ratio("client-raw / java-limit", raw, java, 0.8),
    ratio("consume-manual / consume-auto", manual, auto, 0.5),
    ratio("consume-manual / KafkaJS consume-manual", manual, manualPeer, 1.5),
    ratio("consume-manual / consume-java-limit", manual, consumeJava, 0.25),
    vsPeer,
    vsSpringA,
    ratio("Deno FFI client-raw / client-raw", denoRaw, raw, 0.8),
    ratio("Deno FFI http-single / http-single", denoFfi, single, 0.8),
    ratio("Deno FFI http-single / Deno platformatic http-single", denoFfi, denoPlatformatic, 1.5),
    ...consumerRows,
  ];
}

export interface CpuCheck {
  name: string;
  row: string;
  /** Edge CPU per event (µs), and the most the project allows. */
  value?: number;
  limitUs: number;
  met?: boolean;
}

/** The edge's CPU budgets: per single-event POST, and per record of a 100-record JSON batch. */
export function cpuChecks(results: ScenarioResult[]): CpuCheck[] {
  const check = (name: string, id: string, limitUs: number): CpuCheck => {
    const row = okRow(results, id);
    const value = row ? per1k(row, row.cpu?.edge) : undefined;
    return { name, row: id, value, limitUs, met: value === undefined ? undefined : value <= limitUs };
  };
  return [
    check("edge CPU per single-event POST", "http-single", 80),
    check("edge CPU per record, JSON batches", "http-batch (json)", 25),
    // The same budgets for the Deno producer on librdkafka through FFI.
    check("Deno edge CPU per single-event POST", "deno-ffi http-single", 80),
    check("Deno edge CPU per record, JSON batches", "deno-ffi http-batch (json)", 25),
  ];
}

export function cpuCheckLine(list: CpuCheck[]): string {
  return list
    .map(
      (c) =>
        `${c.name} = ${c.value === undefined ? "n/a" : `${c.value.toFixed(0)} µs`} (target ≤ ${c.limitUs} µs: ${
          c.met === undefined ? "n/a" : c.met ? "met" : "MISSED"
        })`,
    )
    .join("; ");
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? "-"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const cpuTotal = (r: ScenarioResult) => Object.values(r.cpuS).reduce((a, b) => a + b, 0);

/** CPU milliseconds per 1,000 messages (= µs per message), from a role's CPU seconds in the window. */
export function per1k(r: ScenarioResult, cpuS: number | undefined): number | undefined {
  return cpuS === undefined || Number.isNaN(cpuS) || r.messages === 0 ? undefined : (cpuS * 1e6) / r.messages;
}

export const COLUMNS = [
  "scenario",
  "msg/s",
  "MB/s",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "max ms",
  "SLO msg/s",
  "CPU s",
  "edge ms/1k",
  "brokers ms/1k",
  "gen ms/1k",
  "errors",
  "count check",
] as const;

/**
 * The open-loop sweep's sustainable rate per row id (events/s within the p99 SLO), as the
 * tables show it: a number, "none" when even the first step missed, or absent when not swept.
 */
export type SustainableRates = ReadonlyMap<string, number | "none">;

export function rows(results: ScenarioResult[], sustainable: SustainableRates = new Map()): string[][] {
  const slo = (id: string) => {
    const rate = sustainable.get(id);
    return rate === undefined ? "-" : rate === "none" ? "none" : fmt(rate);
  };
  return results.map((r) =>
    r.status !== "ok"
      ? [r.id, r.status, "", "", "", "", "", "", "", "", "", "", "", r.note ?? ""]
      : [
          r.id,
          fmt(r.msgsPerS),
          fmt(r.mbPerS, 1),
          fmt(r.latency?.p50Ms, 2),
          fmt(r.latency?.p95Ms, 2),
          fmt(r.latency?.p99Ms, 2),
          fmt(r.latency?.maxMs, 1),
          slo(r.id),
          fmt(cpuTotal(r), 1),
          fmt(per1k(r, r.cpu?.edge), 0),
          fmt(per1k(r, r.cpu?.brokers), 0),
          fmt(per1k(r, r.cpu?.generator), 0),
          String(r.errors),
          r.verified
            ? `${r.verified.ok ? "ok" : "MISMATCH"} ${r.verified.actual}/${r.verified.expected}${
                r.verified.unanswered ? ` (+≤${r.verified.unanswered} unanswered at stop)` : ""
              }`
            : "-",
        ],
  );
}

/** A plain aligned table for the terminal. */
export function textTable(results: ScenarioResult[], sustainable?: SustainableRates): string {
  const all = [[...COLUMNS], ...rows(results, sustainable)];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  return [line(all[0] as string[]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

export function markdownTable(results: ScenarioResult[], sustainable?: SustainableRates): string {
  const header = `| ${COLUMNS.join(" | ")} |`;
  const align = `|${COLUMNS.map((_, i) => (i === 0 || i === COLUMNS.length - 1 ? " --- " : " ---: ")).join("|")}|`;
  return [header, align, ...rows(results, sustainable).map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

export function ratioLine(list: Ratio[]): string {
  return list
    .map((r) => {
      const value = r.value === undefined ? "n/a" : r.value.toFixed(2);
      const target =
        r.target === undefined
          ? ""
          : ` (target ≥ ${r.target}: ${r.met === undefined ? "n/a" : r.met ? "met" : "MISSED"})`;
      return `${r.name} = ${value}${target}${r.extra ? ` [${r.extra}]` : ""}`;
    })
    .join("; ");
}

export function ratioMarkdown(list: Ratio[]): string {
  return [
    "| ratio | value | target | |",
    "| --- | ---: | ---: | --- |",
    ...list.map(
      (r) =>
        `| ${r.name} | ${r.value === undefined ? "n/a" : r.value.toFixed(2)} | ${r.target === undefined ? "" : `≥ ${r.target}`} | ${
          r.met === undefined ? "" : r.met ? "met" : "missed"
        }${r.extra ? ` (${r.extra})` : ""} |`,
    ),
  ].join("\n");
}

/**
 * One row per scenario across rounds (--rounds): the round with the median throughput (the lower
 * middle for an even count), so the ratios and budgets come from a typical round, not the best.
 */
export function medianRows(results: ScenarioResult[]): ScenarioResult[] {
  const byId = new Map<string, ScenarioResult[]>();
  for (const r of results) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].map((all) => {
    const ok = all.filter((r) => r.status === "ok").sort((a, b) => a.msgsPerS - b.msgsPerS);
    return ok.length === 0 ? (all[0] as ScenarioResult) : (ok[Math.floor((ok.length - 1) / 2)] as ScenarioResult);
  });
}

export interface Spread {
  id: string;
  rounds: number;
  msgsPerS: [number, number];
  edgeUs?: [number, number];
  brokersUs?: [number, number];
}

const range = (values: Array<number | undefined>): [number, number] | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : [Math.min(...known), Math.max(...known)];
};

/** Lowest and highest of each scenario's figures over the rounds that measured it. */
export function spreads(results: ScenarioResult[]): Spread[] {
  const ids = [...new Set(results.map((r) => r.id))];
  return ids.flatMap((id) => {
    const ok = results.filter((r) => r.id === id && r.status === "ok");
    if (ok.length < 2) return [];
    const spread: Spread = {
      id,
      rounds: ok.length,
      msgsPerS: range(ok.map((r) => r.msgsPerS)) as [number, number],
    };
    const edge = range(ok.map((r) => per1k(r, r.cpu?.edge)));
    const brokers = range(ok.map((r) => per1k(r, r.cpu?.brokers)));
    if (edge) spread.edgeUs = edge;
    if (brokers) spread.brokersUs = brokers;
    return [spread];
  });
}

export function spreadMarkdown(list: Spread[]): string {
  const pair = (p: [number, number] | undefined, digits = 0) => (p ? `${fmt(p[0], digits)}–${fmt(p[1], digits)}` : "-");
  return [
    "| scenario | rounds | msg/s | edge ms/1k | brokers ms/1k |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...list.map((s) => `| ${s.id} | ${s.rounds} | ${pair(s.msgsPerS)} | ${pair(s.edgeUs)} | ${pair(s.brokersUs)} |`),
  ].join("\n");
}
