import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const nav = [
  ["/", "Cluster"],
  ["/groups", "Groups"],
  ["/dead-letters", "Dead letters"],
  ["/produce", "Produce"],
] as const;

/**
 * The page frame. Every value interpolated with `html` is escaped (& < > " '), so keys, values
 * and headers from Kafka render as text; the Content-Security-Policy (app.ts) allows scripts
 * only from this origin's /assets, so even markup that slipped through could not run.
 */
export function layout(title: string, body: Html, options: { writable: boolean; script?: string }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · kafka-pair console</title>
<link rel="stylesheet" href="/assets/console.css">
${options.script ? html`<script type="module" src="/assets/${options.script}.js"></script>` : ""}
</head>
<body>
<header>
  <a class="brand" href="/">kafka-pair console</a>
  <nav>${nav.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>
  <span class="mode ${options.writable ? "rw" : "ro"}">${options.writable ? "replay & produce allowed" : "read-only"}</span>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export const fmtTime = (ms: number) => (ms > 0 ? new Date(ms).toISOString().replace("T", " ").replace("Z", "") : "-");

export const badge = (check: { status: string; contract?: string }) =>
  check.status === "valid"
    ? html`<span class="badge ok" title="satisfies the contract">✔ ${check.contract}</span>`
    : check.status === "invalid"
      ? html`<span class="badge bad" title="breaks the contract">✘ ${check.contract}</span>`
      : html`<span class="badge none">no contract</span>`;

/**
 * Under a namespace (KAFKA_NAMESPACE), the list pages show that namespace's topics and groups;
 * `?all=1` shows the whole cluster. Without a namespace they always show everything.
 */
export function scopeNote(prefix: string, all: boolean, path: string): Html {
  if (prefix === "") return html``;
  return all
    ? html`<p class="hint scope">Everything on the cluster. <a href="${path}">Only namespace <code>${prefix}</code></a></p>`
    : html`<p class="hint scope">Namespace <code>${prefix}</code> only. <a href="${path}?all=1">Everything on the cluster</a></p>`;
}
