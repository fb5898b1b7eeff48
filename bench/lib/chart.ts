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
