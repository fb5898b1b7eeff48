import { html } from "hono/html";
import type { DecodedRecord } from "../records/decode.ts";
import { fmtTime, type Html } from "./layout.ts";

export interface DeadLetterTopicRow {
  topic: string;
  source: string;
  letters: bigint;
}

export function deadLetterTopicsPage(rows: DeadLetterTopicRow[]): Html {
  return html`<table id="dead-letter-topics">
<thead><tr><th>dead-letter topic</th><th>source topic</th><th>letters stored</th></tr></thead>
<tbody>${rows.map(
    (
      r,
    ) => html`<tr data-topic="${r.topic}"><td><a href="/dead-letters/${encodeURIComponent(r.topic)}">${r.topic}</a></td>
<td><a href="/topics/${encodeURIComponent(r.source)}">${r.source}</a></td><td>${String(r.letters)}</td></tr>`,
  )}</tbody></table>
${rows.length === 0 ? html`<p class="hint">No dead-letter topic (<code>*.dlq</code>) on this cluster.</p>` : ""}`;
}

export interface LetterFilter {
  reason: string | undefined;
  text: string | undefined;
}

export interface DeadLettersView {
  topic: string;
  source: string;
  letters: DecodedRecord[];
  filter: LetterFilter;
  scanned: number;
  writable: boolean;
}

/** One dead-letter topic: each letter's reason, error, attempts and origin; replay one, a selection, or all matching. */
export function deadLettersPage(view: DeadLettersView): Html {
  const base = `/dead-letters/${encodeURIComponent(view.topic)}`;
  return html`
<p>Letters of <a href="/topics/${encodeURIComponent(view.source)}">${view.source}</a>, newest first, among the last ${view.scanned} per partition.
Replay sends a letter back to its topic as first written (the same code as <code>npm run replay</code>), with a <code>replayed_from</code> header.</p>
<form class="browse" method="get" action="${base}">
  <label>reason <select name="reason">
    <option value="">any</option>
    ${["handler-failed", "contract-violation"].map((r) => html`<option value="${r}" ${view.filter.reason === r ? "selected" : ""}>${r}</option>`)}
  </select></label>
  <label>error contains <input name="text" size="30" value="${view.filter.text ?? ""}"></label>
  <button type="submit">Filter</button>
</form>
<form id="replay" data-topic="${view.topic}" data-reason="${view.filter.reason ?? ""}" data-text="${view.filter.text ?? ""}">
${
  view.writable
    ? html`<p><button type="button" id="replay-selected" disabled>Replay selected</button>
<button type="button" id="replay-matching" ${view.letters.length === 0 ? "disabled" : ""}>Replay all ${view.letters.length} shown</button>
<span id="replay-result" role="status"></span></p>`
    : html`<p class="hint">Read-only console: replay is not available here.</p>`
}
<table class="records" id="letters">
<thead><tr><th></th><th>p</th><th>offset</th><th>failed at</th><th>reason</th><th>error</th><th>attempts</th><th>origin</th><th>key</th></tr></thead>
<tbody>${view.letters.map((l) => {
    const d = l.deadLetter;
    const origin = `${d.dlq_original_topic ?? "?"}/${d.dlq_original_partition ?? "?"}/${d.dlq_original_offset ?? "?"}`;
    return html`<tr class="letter" data-partition="${l.partition}" data-offset="${l.offset}">
  <td>${view.writable ? html`<input type="checkbox" class="pick" aria-label="select letter ${l.partition}/${l.offset}">` : ""}</td>
  <td>${l.partition}</td>
  <td><a href="/topics/${encodeURIComponent(l.topic)}/records/${l.partition}/${l.offset}">${l.offset}</a></td>
  <td>${d.dlq_failed_at ?? fmtTime(l.timestamp)}</td>
  <td class="reason"><span class="badge ${d.dlq_reason === "contract-violation" ? "bad" : "dlq"}">${d.dlq_reason ?? "?"}</span></td>
  <td class="error"><code>${d.dlq_error ?? ""}</code>${d.dlq_error_code ? html` <small>${d.dlq_error_code}</small>` : ""}</td>
  <td>${d.dlq_attempts ?? "-"}</td>
  <td><code>${origin}</code>${d.dlq_consumer_group ? html`<br><small>group ${d.dlq_consumer_group}</small>` : ""}</td>
  <td><code>${l.key ?? "(null)"}</code></td>
</tr>`;
  })}</tbody></table>
</form>`;
}
