// The open-loop sweep, in the spirit of the OpenMessaging Benchmark: the offered rate steps up
// until p99 passes the SLO (or the server stops keeping up); the last step within it is the
// sustainable rate. Load from vegeta (constant rate, every answer read and checked).
import { decodeHistogram, type LatencySummary, summarize } from "./lib/hist.ts";
import { orNaN, processCpuSeconds } from "./lib/proc.ts";
import type { ScenarioResult } from "./lib/result.ts";
import { runVegeta, type VegetaStep } from "./lib/vegeta.ts";
import type { BenchWorker } from "./lib/workers.ts";
import { brokerCpu, type Context, type HttpLoad, runRaw, settledEndOffset, totalEndOffset } from "./scenarios.ts";

/** One step's load as run: the generator's figures (`cpuS` its own CPU) and the CPU of the process under test. */
export interface StepOutcome extends VegetaStep {
  edgeCpuS: number;
  /** Records the target wrote outside the measured load (kept out of the count check). */
  unmeasuredWrites?: number;
}

/** What a sweep drives: a server under vegeta, or the client alone at a constant rate. */
export interface SweepTarget {
  /** The process under test, for the report. */
  name: string;
  /** Events per request (a batch's records); the offered rate is in events. */
  perRequest: number;
  runStep(requestsPerS: number, durationS: number): Promise<StepOutcome>;
}

/** An HTTP server driven by vegeta: every answer read and checked by the load's `acked`. */
export function httpTarget(ctx: Context, server: BenchWorker, load: HttpLoad, id: string, vegeta: string): SweepTarget {
  return {
    name: server.name,
    perRequest: load.bodies[0]?.records ?? 1,
    async runStep(requestsPerS, durationS) {
      const edge0 = cpuOf(server.pid);
      const out = await runVegeta({
        bin: vegeta,
        url: `${server.url}/topics/orders`,
        contentType: load.contentType,
        bodies: load.bodies,
        acked: load.acked,
        ratePerS: requestsPerS,
        durationS,
        workDir: ctx.logDir,
        name: id,
      });
      return { ...out, edgeCpuS: cpuOf(server.pid) - edge0 };
    },
  };
}

/**
 * The Confluent client alone (bench/workers/raw.ts with --rate): the same records at a constant
 * rate, no HTTP. Its row tells the cluster's own latency at a rate from the edge's.
 */
export function rawTarget(ctx: Context): SweepTarget {
  return {
    name: "client-raw",
    perRequest: 1,
    async runStep(requestsPerS, durationS) {
      const out = await runRaw(ctx, {
        durationMs: durationS * 1000,
        maxMessages: Math.ceil(requestsPerS * durationS),
        ratePerS: requestsPerS,
      });
      return {
        requests: out.acked + out.errors,
        acked: out.acked,
        refused: out.errors,
        elapsedS: out.elapsedMs / 1000,
        latency: summarize(decodeHistogram(out.latency)),
        // The load comes from the process under test itself: no generator of its own.
        cpuS: Number.NaN,
        edgeCpuS: out.cpuS,
        firstRefusal: out.firstError,
        unmeasuredWrites: out.warmed ?? 0,
      };
    },
  };
}

export interface SweepOptions {
  sloMs: number;
  stepS: number;
  /** First offered rate, in events per second, and the factor between steps. */
  startEventsPerS: number;
  factor: number;
  maxSteps: number;
}

export interface SweepStep {
  offeredPerS: number;
  achievedPerS: number;
  requests: number;
  acked: number;
  refused: number;
  latency?: LatencySummary;
  /** CPU ms per 1,000 acknowledged events (= µs per event). */
  cpuPer1k: { edge?: number; brokers?: number; generator?: number };
  /** Records added to the topic during the step vs acknowledged (vegeta waits for every answer). */
  written: number;
  withinSlo: boolean;
  note?: string;
}

export interface Sweep {
  id: string;
  server: string;
  sloMs: number;
  steps: SweepStep[];
  /** The highest offered rate (events/s) whose step kept p99 within the SLO and kept up, before the sweep stopped. */
  sustainablePerS?: number;
  stoppedBecause: string;
  status: ScenarioResult["status"];
  note?: string;
}

const cpuOf = (pid: number) => orNaN(() => processCpuSeconds(pid));
const per1k = (s: number, events: number) => (Number.isNaN(s) || events === 0 ? undefined : (s * 1e6) / events);

export async function sweep(ctx: Context, target: SweepTarget, id: string, options: SweepOptions): Promise<Sweep> {
  const perRequest = target.perRequest;
  const steps: SweepStep[] = [];
  let sustainable: number | undefined;
  let stoppedBecause = `reached ${options.maxSteps} steps`;
  let offered = options.startEventsPerS;
  let overSlo = 0;
  for (let i = 0; i < options.maxSteps; i++, offered *= options.factor) {
    const requestsPerS = offered / perRequest;
    const bar = ctx.progress.begin(`${id} @ ${Math.round(offered)}/s`, options.stepS);
    const begin = Date.now();
    const ticker = setInterval(() => bar.update((Date.now() - begin) / 1000, 0), 250);
    const before = await totalEndOffset(ctx);
    const brokers0 = brokerCpu(ctx);
    const out = await target.runStep(requestsPerS, options.stepS).finally(() => clearInterval(ticker));
    const edge = out.edgeCpuS;
    const brokers = brokerCpu(ctx) - brokers0;
    const written = (await settledEndOffset(ctx)) - before - (out.unmeasuredWrites ?? 0);
    const achieved = out.acked / Math.max(0.001, out.elapsedS);
    const p99 = out.latency?.p99Ms ?? Number.POSITIVE_INFINITY;
    const keptUp = achieved >= 0.9 * offered && out.refused === 0;
    const withinSlo = keptUp && p99 <= options.sloMs;
    steps.push({
      offeredPerS: Math.round(offered),
      achievedPerS: Math.round(achieved),
      requests: out.requests,
      acked: out.acked,
      refused: out.refused,
      latency: out.latency,
      cpuPer1k: {
        edge: per1k(edge, out.acked),
        brokers: per1k(brokers, out.acked),
        generator: per1k(out.cpuS, out.acked),
      },
      written,
      withinSlo,
      note: out.firstRefusal,
    });
    bar.done(`p99 ${p99.toFixed(1)} ms, ${Math.round(achieved)}/s${withinSlo ? "" : " (past the SLO)"}`);
    if (out.refused === 0 && written !== out.acked) {
      return {
        id,
        server: target.name,
        sloMs: options.sloMs,
        steps,
        sustainablePerS: sustainable,
        stoppedBecause: `count check failed: ${written} records written, ${out.acked} acknowledged`,
        status: "failed",
      };
    }
    if (!keptUp) {
      stoppedBecause = `fell behind at ${Math.round(offered)}/s (${Math.round(achieved)}/s acknowledged, ${out.refused} refused)`;
      break;
    }
    if (!withinSlo) {
      // One step past the SLO may be a burst on a shared machine; two in a row end the sweep.
      overSlo++;
      stoppedBecause = `p99 ${p99.toFixed(1)} ms > SLO ${options.sloMs} ms at ${Math.round(offered)}/s${overSlo > 1 ? " (second step in a row)" : ""}`;
      if (overSlo > 1) break;
      continue;
    }
    overSlo = 0;
    // A step past the SLO that the next one made up for is not why the sweep ends.
    stoppedBecause = `reached ${options.maxSteps} steps`;
    sustainable = Math.round(offered);
  }
  return {
    id,
    server: target.name,
    sloMs: options.sloMs,
    steps,
    sustainablePerS: sustainable,
    stoppedBecause,
    status: "ok",
  };
}

const f = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? "-" : n.toLocaleString("en-US", { maximumFractionDigits: digits });

/** One row per server: its sustainable rate and the figures of the step that set it. */
export function sweepMarkdown(sweeps: Sweep[]): string {
  const head = [
    "| server | sustainable events/s | p50 ms | p99 ms | edge ms/1k | brokers ms/1k | gen ms/1k | steps | stopped because |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const rows = sweeps.map((s) => {
    if (s.status !== "ok") return `| ${s.id} | ${s.status} | | | | | | | ${s.note ?? ""} |`;
    const at = s.steps.find((p) => p.offeredPerS === s.sustainablePerS);
    return `| ${s.id} | ${f(s.sustainablePerS)} | ${f(at?.latency?.p50Ms, 2)} | ${f(at?.latency?.p99Ms, 2)} | ${f(at?.cpuPer1k.edge)} | ${f(at?.cpuPer1k.brokers)} | ${f(at?.cpuPer1k.generator)} | ${s.steps.length} | ${s.stoppedBecause} |`;
  });
  return [...head, ...rows].join("\n");
}
