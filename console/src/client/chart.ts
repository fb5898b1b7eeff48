// The group page's chart: total lag and committed records per second over the last minutes,
// drawn as two SVG polylines from /api/groups/<id>/samples, refreshed every few seconds.

interface Sample {
  at: number;
  lag: number;
  rate: number;
  source: "consumer" | "kafka";
}

const SVG = "http://www.w3.org/2000/svg";
const W = 600;
const H = 200;
const PAD = 30;

function line(samples: Sample[], pick: (s: Sample) => number, cls: string, from: number, span: number): SVGElement {
  const top = Math.max(1, ...samples.map(pick));
  const points = samples
    .map((s) => {
      const x = PAD + ((s.at - from) / span) * (W - 2 * PAD);
      const y = H - PAD - (pick(s) / top) * (H - 2 * PAD);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
  const node = document.createElementNS(SVG, "polyline");
  node.setAttribute("points", points);
  node.setAttribute("class", cls);
  return node;
}

function text(x: number, y: number, content: string, cls: string): SVGElement {
  const node = document.createElementNS(SVG, "text");
  node.setAttribute("x", String(x));
  node.setAttribute("y", String(y));
  node.setAttribute("class", cls);
  node.textContent = content;
  return node;
}

function draw(svg: SVGSVGElement, samples: Sample[]): void {
  svg.replaceChildren();
  const axis = document.createElementNS(SVG, "path");
  axis.setAttribute("d", `M${PAD},${PAD} V${H - PAD} H${W - PAD}`);
  axis.setAttribute("class", "axis");
  svg.append(axis);
  if (samples.length === 0) {
    svg.append(text(PAD + 10, H / 2, "collecting samples…", "note"));
    return;
  }
  const last = samples[samples.length - 1] as Sample;
  const from = Math.min((samples[0] as Sample).at, last.at - 60_000);
  const span = Math.max(1, last.at - from);
  svg.append(
    line(samples, (s) => s.lag, "lag", from, span),
    line(samples, (s) => s.rate, "rate", from, span),
  );
  svg.append(
    text(PAD, PAD - 8, `lag now ${last.lag} (max ${Math.max(...samples.map((s) => s.lag))})`, "lag-label"),
    text(
      W - PAD - 260,
      PAD - 8,
      `${last.rate.toFixed(1)} records/s (${last.source === "consumer" ? "consumer /metrics" : "committed offsets"})`,
      "rate-label",
    ),
    text(PAD, H - 8, `${Math.round((last.at - from) / 1000)} s ago`, "note"),
    text(W - PAD - 20, H - 8, "now", "note"),
  );
}

const figure = document.querySelector<HTMLElement>("#chart");
const svg = figure?.querySelector("svg");
if (figure && svg) {
  const url = `/api/groups/${encodeURIComponent(figure.dataset.group ?? "")}/samples`;
  const refresh = async () => {
    const res = await fetch(url);
    if (res.ok) draw(svg, ((await res.json()) as { samples: Sample[] }).samples);
  };
  void refresh();
  setInterval(() => void refresh().catch(() => {}), 5_000);
}
