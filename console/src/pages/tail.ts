import { html } from "hono/html";
import type { Html } from "./layout.ts";

/** The live tail: rows appended by /assets/tail.js from the server-sent events of /api/tail/<topic>. */
export function tailPage(topic: string, topics: string[]): Html {
  return html`
<form class="browse" method="get" action="/tail">
  <label>topic <select name="topic">${topics.map((t) => html`<option value="${t}" ${t === topic ? "selected" : ""}>${t}</option>`)}</select></label>
  <button type="submit">Tail</button>
</form>
<p class="hint">Events written to <strong>${topic}</strong> from now on, read_committed, by assigning its partitions:
the tail joins no group and commits nothing. <span id="tail-status" role="status">connecting…</span></p>
<table class="records" id="tail" data-topic="${topic}">
<thead><tr><th>p</th><th>offset</th><th>timestamp</th><th>key</th><th>contract</th><th>value</th><th>headers</th></tr></thead>
<tbody></tbody></table>`;
}
