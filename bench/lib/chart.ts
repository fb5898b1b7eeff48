import type { ScenarioResult } from "./result.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3));

/**
 * Two panels sharing one row per scenario: throughput (linear) and latency p50/p99 (log scale,
 * since scenarios span microseconds to seconds). Plain SVG: no renderer, diffable, opens anywhere.
 */
export function chartSvg(results: ScenarioResult[], title: string): string {
  const rows = results.filter((r) => r.status === "ok");
  const rowH = 28;
  const top = 64;
  const labelW = 190;
  const panelW = 330;
  const gap = 60;
  const width = labelW + panelW * 2 + gap + 40;
  const height = top + rows.length * rowH + 56;
  const maxRate = Math.max(1, ...rows.map((r) => r.msgsPerS));
  const latencies = rows.flatMap((r) => (r.latency ? [r.latency.p50Ms, r.latency.p99Ms] : []));
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.001, Math.min(...latencies, 1))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...latencies, 10)));
  const x2 = labelW + panelW + gap;
  const logX = (ms: number) =>
    x2 + ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * panelW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${labelW}" y="${top - 12}" font-weight="bold">throughput (messages/s)</text>`,
    `<text x="${x2}" y="${top - 12}" font-weight="bold">latency (ms, log scale): <tspan fill="#4c78a8">p50</tspan> / <tspan fill="#e45756">p99</tspan></text>`,
  ];
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    const x = logX(decade);
    out.push(
      `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${num(decade)}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const barW = (r.msgsPerS / maxRate) * panelW;
    out.push(
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(r.id)}</text>`,
      `<rect x="${labelW}" y="${y + 5}" width="${barW.toFixed(1)}" height="${rowH - 10}" fill="${r.client === "kafkajs" ? "#f58518" : r.client === "java" ? "#72b7b2" : "#54a24b"}"/>`,
      `<text x="${labelW + barW + 4}" y="${y + 17}" fill="#333">${num(r.msgsPerS)}</text>`,
    );
    if (r.latency) {
      const p50 = logX(r.latency.p50Ms);
      const p99 = logX(r.latency.p99Ms);
      out.push(
        `<line x1="${p50}" y1="${y + 14}" x2="${p99}" y2="${y + 14}" stroke="#999" stroke-width="2"/>`,
        `<circle cx="${p50}" cy="${y + 14}" r="5" fill="#4c78a8"/>`,
        `<circle cx="${p99}" cy="${y + 14}" r="5" fill="#e45756"/>`,
        `<text x="${p99 + 8}" y="${y + 18}" fill="#333">${num(r.latency.p99Ms)}</text>`,
      );
    }
  });
  const legendY = top + rows.length * rowH + 40;
  out.push(
    `<rect x="${labelW}" y="${legendY - 10}" width="12" height="12" fill="#54a24b"/><text x="${labelW + 16}" y="${legendY}">Confluent (librdkafka)</text>`,
    `<rect x="${labelW + 170}" y="${legendY - 10}" width="12" height="12" fill="#f58518"/><text x="${labelW + 186}" y="${legendY}">KafkaJS</text>`,
    `<rect x="${labelW + 260}" y="${legendY - 10}" width="12" height="12" fill="#72b7b2"/><text x="${labelW + 276}" y="${legendY}">Java ProducerPerformance</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

export interface SweepSeries {
  id: string;
  sloMs: number;
  sustainablePerS?: number;
  steps: Array<{ offeredPerS: number; latency?: { p50Ms: number; p99Ms: number } }>;
}

const PALETTE = ["#54a24b", "#4c78a8", "#f58518", "#b279a2", "#e45756", "#72b7b2"];

/**
 * Latency against offered rate, both on log scales: one line per server for p99 (solid) and
 * p50 (dashed), the SLO as a red rule, and each series' sustainable rate in the legend.
 */
export function sweepSvg(series: SweepSeries[], title: string): string {
  const width = 840;
  const height = 460;
  const left = 70;
  const right = 280;
  const top = 50;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const points = series.flatMap((s) => s.steps.filter((p) => p.latency));
  const rates = points.map((p) => p.offeredPerS);
  const lats = points.flatMap((p) => (p.latency ? [p.latency.p50Ms, p.latency.p99Ms] : []));
  const slo = series[0]?.sloMs ?? 50;
  const xLo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...rates, 100))));
  const xHi = 10 ** Math.ceil(Math.log10(Math.max(...rates, 1000)));
  const yLo = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(...lats, 1))));
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(...lats, slo * 2)));
  const x = (r: number) => left + ((Math.log10(r) - Math.log10(xLo)) / (Math.log10(xHi) - Math.log10(xLo))) * plotW;
  const y = (ms: number) =>
    top + plotH - ((Math.log10(Math.max(ms, yLo)) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  ];
  for (let d = xLo; d <= xHi * 1.0001; d *= 10) {
    out.push(
      `<line x1="${x(d)}" y1="${top}" x2="${x(d)}" y2="${top + plotH}" stroke="#eee"/>`,
      `<text x="${x(d)}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${num(d)}</text>`,
    );
  }
  for (let d = yLo; d <= yHi * 1.0001; d *= 10) {
    out.push(
      `<line x1="${left}" y1="${y(d)}" x2="${left + plotW}" y2="${y(d)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y(d) + 4}" text-anchor="end" fill="#555">${num(d)}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${y(slo)}" x2="${left + plotW}" y2="${y(slo)}" stroke="#e45756" stroke-dasharray="6 4"/>`,
    `<text x="${left + plotW - 4}" y="${y(slo) - 5}" text-anchor="end" fill="#e45756">p99 SLO ${slo} ms</text>`,
    `<text x="${left + plotW / 2}" y="${height - 22}" text-anchor="middle">offered rate (events/s, log scale)</text>`,
    `<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">latency ms (log): p99 solid, p50 dashed</text>`,
  );
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const pts = s.steps.filter((p) => p.latency);
    const path = (pick: (l: { p50Ms: number; p99Ms: number }) => number) =>
      pts
        .map(
          (p) => `${x(p.offeredPerS).toFixed(1)},${y(pick(p.latency as { p50Ms: number; p99Ms: number })).toFixed(1)}`,
        )
        .join(" ");
    out.push(
      `<polyline points="${path((l) => l.p99Ms)}" fill="none" stroke="${color}" stroke-width="2"/>`,
      `<polyline points="${path((l) => l.p50Ms)}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      ...pts.map(
        (p) =>
          `<circle cx="${x(p.offeredPerS).toFixed(1)}" cy="${y((p.latency as { p99Ms: number }).p99Ms).toFixed(1)}" r="3" fill="${color}"/>`,
      ),
      `<rect x="${left + plotW + 14}" y="${top + i * 36}" width="12" height="12" fill="${color}"/>`,
      `<text x="${left + plotW + 32}" y="${top + i * 36 + 10}">${esc(s.id)}</text>`,
      `<text x="${left + plotW + 32}" y="${top + i * 36 + 24}" fill="#555">sustainable: ${s.sustainablePerS === undefined ? "none" : `${num(s.sustainablePerS)}/s`}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
