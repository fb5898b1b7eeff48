import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { namespace } from "@kafka-pair/shared/runtime";
import * as hdr from "hdr-histogram-js";
import { describe, expect, inject, it } from "vitest";
import { readBack, reportFigures, rssMiB } from "../../test/faults/helpers.ts";
import { anOrder } from "../../test/helpers/events.ts";
import { startWorker } from "../../test/helpers/workers.ts";

// A sustained run at a fraction (default half) of the edge's capacity, on the fault cluster: memory
// must stay flat and nothing may fail; p99 per window is reported to show it steady. The capacity
// is measured the same way the load is sent: the same client (keep-alive http.Agent, bodies built
// ahead, no per-request faker or Idempotency-Key), closed loop with 64 connections, so the figure
// is the edge's and not the test client's.
const cluster = inject("faultCluster");
const SECONDS = Number(process.env.FAULTS_LOAD_SECONDS ?? 180);
const FRACTION = Number(process.env.FAULTS_LOAD_FRACTION ?? 0.5);
const CALIBRATION_S = 15;
const CALIBRATION_CLIENTS = 64;
const WINDOW_S = 30;
const MAX_OUTSTANDING = 256;

function histogram() {
  return hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
}

/** The benchmark's latest http-single figure, if the benchmark has run on this checkout. */
function benchHttpSingle(): number | undefined {
  try {
    const dir = new URL("../../bench-results/", import.meta.url);
    const latest = readdirSync(dir)
      .filter((f) => /^bench-.*\.json$/.test(f))
      .sort()
      .at(-1);
    if (!latest) return undefined;
    const run = JSON.parse(readFileSync(new URL(latest, dir), "utf8")) as {
      results: Array<{ id: string; status: string; msgsPerS?: number }>;
    };
    return run.results.find((r) => r.id === "http-single" && r.status === "ok")?.msgsPerS;
  } catch {
    return undefined;
  }
}

describe("sustained load", () => {
  const ns = namespace(`f-${randomBytes(4).toString("hex")}.`);

  it(`holds ${FRACTION * 100}% of the edge's measured capacity for ${SECONDS} s with flat memory and no error`, {
    timeout: (SECONDS + 300) * 1000,
  }, async () => {
    const producer = await startWorker("producer", {
      KAFKA_BOOTSTRAP_SERVERS: cluster.bootstrapServers,
      KAFKA_NAMESPACE: ns.prefix,
      LOG_LEVEL: "warn",
    });
    const pid = producer.process.pid ?? 0;

    const agent = new Agent({ keepAlive: true, maxSockets: MAX_OUTSTANDING });
    const url = new URL(`${producer.url}/topics/orders`);
    // Bodies built ahead: each request is still its own event (the edge gives each a new ce_id).
    const bodies = Array.from({ length: 2_000 }, () => JSON.stringify(anOrder()));
    let nextBody = 0;
    const body = () => bodies[nextBody++ % bodies.length] as string;
    const post = (body: string) =>
      new Promise<number>((resolve) => {
        const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", () => resolve(0));
        req.end(body);
      });

    // The capacity, measured here (same cluster, same moment, same client), closed loop.
    const calibration = { ok: 0, failed: 0 };
    const calibrationEnd = performance.now() + CALIBRATION_S * 1000;
    await Promise.all(
      Array.from({ length: CALIBRATION_CLIENTS }, async () => {
        while (performance.now() < calibrationEnd) {
          if ((await post(body())) === 201) calibration.ok++;
          else calibration.failed++;
        }
      }),
    );
    expect(calibration.failed).toBe(0);
    const maxRate = calibration.ok / CALIBRATION_S;
    const rate = Math.max(1, Math.floor(maxRate * FRACTION));

    const windows: Array<{
      sent: number;
      ok: number;
      failed: number;
      skipped: number;
      p50: number;
      p99: number;
      rss: number;
    }> = [];
    let current = { hist: histogram(), sent: 0, ok: 0, failed: 0, skipped: 0 };
    let outstanding = 0;
    /** Non-201 answers by status (0: no answer, the connection failed). */
    const failedByStatus = new Map<number, number>();
    const start = performance.now();
    const pending = new Set<Promise<void>>();
    let scheduled = 0;
    const closeWindow = () => {
      const h = current.hist;
      windows.push({
        sent: current.sent,
        ok: current.ok,
        failed: current.failed,
        skipped: current.skipped,
        p50: Math.round(h.getValueAtPercentile(50)) / 1000,
        p99: Math.round(h.getValueAtPercentile(99)) / 1000,
        rss: Math.round(rssMiB(pid)),
      });
      h.destroy();
      current = { hist: histogram(), sent: 0, ok: 0, failed: 0, skipped: 0 };
    };
    // Open loop: requests leave on a fixed schedule whatever the answers do (no coordinated omission),
    // up to a bound on outstanding requests, past which a send counts as skipped.
    while (performance.now() - start < SECONDS * 1000) {
      const elapsed = (performance.now() - start) / 1000;
      const due = Math.floor(elapsed * rate);
      for (; scheduled < due; scheduled++) {
        if (outstanding >= MAX_OUTSTANDING) {
          current.skipped++;
          continue;
        }
        outstanding++;
        current.sent++;
        const window = current;
        const t0 = performance.now();
        const p = post(body()).then((status) => {
          outstanding--;
          window.hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
          if (status === 201) window.ok++;
          else {
            window.failed++;
            failedByStatus.set(status, (failedByStatus.get(status) ?? 0) + 1);
          }
          pending.delete(p);
        });
        pending.add(p);
      }
      if (elapsed >= (windows.length + 1) * WINDOW_S) closeWindow();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    if (current.sent > 0) closeWindow();
    agent.destroy();

    const total = windows.reduce((s, w) => s + w.sent, 0);
    const ok = windows.reduce((s, w) => s + w.ok, 0);
    const stored = await readBack(cluster.bootstrapServers, ns.topic("orders"), {
      until: (r) => r.counts.size >= ok + calibration.ok,
      timeoutMs: 300_000,
    });
    const rss = windows.map((w) => w.rss);
    // Every event has its own ce_id: distinct ids stored, minus the calibration's, against the 201s.
    const distinct = stored.counts.size - calibration.ok;
    reportFigures(`7. sustained load at ${FRACTION * 100}% of the edge's measured capacity`, {
      acknowledged: ok,
      readBack: Math.min(ok, distinct),
      lost: Math.max(0, ok - distinct),
      duplicated: [...stored.counts.values()].filter((n) => n > 1).length,
      seconds: SECONDS,
      measuredCapacityPerS: Math.round(maxRate),
      calibration: `${CALIBRATION_S} s closed loop, ${CALIBRATION_CLIENTS} keep-alive connections`,
      benchHttpSinglePerS: Math.round(benchHttpSingle() ?? 0),
      targetPerS: rate,
      achievedPerS: Math.round(total / SECONDS),
      failed: windows.reduce((s, w) => s + w.failed, 0),
      failedByStatus: JSON.stringify(Object.fromEntries(failedByStatus)),
      failedPerWindow: windows.map((w) => w.failed).join(" / "),
      skippedPerWindow: windows.map((w) => w.skipped).join(" / "),
      skippedAtBound: windows.reduce((s, w) => s + w.skipped, 0),
      p99MsPerWindow: windows.map((w) => w.p99).join(" / "),
      p50MsPerWindow: windows.map((w) => w.p50).join(" / "),
      rssMiBPerWindow: rss.join(" / "),
    });
    expect(windows.reduce((s, w) => s + w.failed, 0)).toBe(0);
    expect(distinct).toBeGreaterThanOrEqual(ok);
    expect([...stored.counts.values()].filter((n) => n > 1)).toEqual([]);
    // Flat: after the first window's warm-up, memory grows by less than 100 MiB over the run.
    expect(Math.max(...rss.slice(1)) - (rss[1] ?? rss[0] ?? 0)).toBeLessThan(100);
  });
});
