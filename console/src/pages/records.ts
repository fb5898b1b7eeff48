import { html } from "hono/html";
import type { StoredRecord, TopicInfo } from "../cluster/types.ts";
import type { BrowseQuery, BrowseResult } from "../records/browse.ts";
import { type DecodedRecord, hex } from "../records/decode.ts";
import { badge, fmtTime, type Html } from "./layout.ts";

const PREVIEW_CHARS = 300;

const recordHref = (r: { topic: string; partition: number; offset: string }) =>
  `/topics/${encodeURIComponent(r.topic)}/records/${r.partition}/${r.offset}`;

function issues(record: DecodedRecord): Html {
  if (record.check.status !== "invalid") return html``;
  return html`<div class="issues"><div>${record.check.message}</div><ul>${record.check.issues.map(
    (i) => html`<li><code>${i.path}</code>: ${i.message}</li>`,
  )}</ul></div>`;
}

function headerTable(caption: string, entries: Array<[string, string | undefined]>): Html {
  const shown = entries.filter(([, v]) => v !== undefined);
  if (shown.length === 0) return html``;
  return html`<table class="kv"><caption>${caption}</caption><tbody>${shown.map(
    ([k, v]) => html`<tr><th>${k}</th><td><code>${v}</code></td></tr>`,
  )}</tbody></table>`;
}

/** One event as a row of the list: where, when, key, contract badge, a preview of the value, its event type. */
export function recordRow(record: DecodedRecord): Html {
  const preview = record.value === null ? "(null)" : record.value.slice(0, PREVIEW_CHARS);
  return html`<tr class="record" data-partition="${record.partition}" data-offset="${record.offset}">
  <td>${record.partition}</td>
  <td><a href="${recordHref(record)}">${record.offset}</a></td>
  <td>${fmtTime(record.timestamp)}</td>
  <td class="key">${record.key === null ? html`<em>null</em>` : html`<code>${record.key}</code>`}</td>
  <td>${badge(record.check)}${issues(record)}</td>
  <td class="value"><code>${preview}</code>${record.value !== null && record.value.length > PREVIEW_CHARS ? "…" : ""}</td>
  <td class="headers">${record.cloudEvent ? html`<span title="CloudEvents type">${record.cloudEvent.type}</span>` : ""}
    ${Object.keys(record.otherHeaders).length > 0 ? html`<span class="more">+${Object.keys(record.otherHeaders).length} headers</span>` : ""}</td>
</tr>`;
}

export const recordsTable = (records: DecodedRecord[]) => html`<table class="records">
<thead><tr><th>p</th><th>offset</th><th>timestamp</th><th>key</th><th>contract</th><th>value</th><th>headers</th></tr></thead>
<tbody>${records.map(recordRow)}</tbody></table>`;

export interface TopicView {
  info: TopicInfo;
  roleBadge: Html;
  query: BrowseQuery;
  result: BrowseResult;
  records: DecodedRecord[];
  sinceText: string;
  writable: boolean;
  produceHref: string | undefined;
}

/** A topic: its partitions, and one page of its events newest first (browse form, key search). */
export function topicPage(view: TopicView): Html {
  const { info, query, result } = view;
  const base = `/topics/${encodeURIComponent(info.name)}`;
  return html`
<p>${view.roleBadge} <a href="/tail/${encodeURIComponent(info.name)}">live tail</a>
${view.produceHref ? html` · <a href="${view.produceHref}">produce</a>` : ""}</p>
<table id="partitions">
<thead><tr><th>partition</th><th>leader</th><th>replicas</th><th>in sync</th><th>start</th><th>end</th></tr></thead>
<tbody>${info.partitions.map(
    (p) => html`<tr><td><a href="${base}?partition=${p.partition}">${p.partition}</a></td><td>${p.leader}</td>
<td>${p.replicas.join(", ")}</td><td>${p.isr.join(", ")}</td><td>${p.low}</td><td>${p.high}</td></tr>`,
  )}</tbody>
</table>
<form class="browse" method="get" action="${base}">
  <label>partition <select name="partition"><option value="">all</option>${info.partitions.map(
    (p) =>
      html`<option value="${p.partition}" ${query.partition === p.partition ? "selected" : ""}>${p.partition}</option>`,
  )}</select></label>
  <label>up to offset <input name="offset" inputmode="numeric" size="8" value="${query.offset?.toString() ?? ""}"></label>
  <label>from time <input name="since" size="22" placeholder="2026-12-01T10:00:00Z" value="${view.sinceText}"></label>
  <label>key <input name="key" size="24" value="${query.key ?? ""}"></label>
  <label>scan <input name="scan" inputmode="numeric" size="7" value="${query.scan ?? ""}" placeholder="10000"></label>
  <label>limit <input name="limit" inputmode="numeric" size="4" value="${query.limit}"></label>
  <button type="submit">Show</button>
</form>
<p class="hint">${
    query.key !== undefined
      ? html`Key search over ${result.ranges.map((r) => html`p${r.partition} [${String(r.from)}, ${String(r.to)}) `)}: ${result.records.length} found.`
      : html`${result.records.length} events, newest first.`
  }
${result.older !== undefined ? html` <a id="older" href="${base}?partition=${query.partition}&offset=${String(result.older)}&limit=${query.limit}">older →</a>` : ""}</p>
${recordsTable(view.records)}`;
}

/** One event in full: contract check, CloudEvents attributes, trace context, dead-letter headers, value, raw bytes on request. */
export function recordPage(record: DecodedRecord, stored: StoredRecord, raw: boolean): Html {
  const ce = record.cloudEvent;
  const href = recordHref(record);
  return html`
<p>${badge(record.check)} partition ${record.partition} · offset ${record.offset} · ${fmtTime(record.timestamp)} ·
<a href="/topics/${encodeURIComponent(record.topic)}?partition=${record.partition}&offset=${record.offset}">in the topic</a></p>
${issues(record)}
<div class="grid">
${headerTable("Record", [
  ["key", record.key === null ? "(null)" : record.key],
  ["key encoding", record.keyIsBinary ? "binary (hex)" : record.key === null ? undefined : "UTF-8"],
  ["value size", `${record.valueBytes} bytes`],
])}
${headerTable(
  "CloudEvents",
  ce
    ? [
        ["id", ce.id],
        ["source", ce.source],
        ["type", ce.type],
        ["specversion", ce.specversion],
        ["time", ce.time],
        ["subject", ce.subject],
        ["datacontenttype", ce.datacontenttype],
        ["dataschema", ce.dataschema],
        ...Object.entries(ce.extensions).map(([k, v]): [string, string] => [`ext ${k}`, v]),
      ]
    : [],
)}
${headerTable(
  "Trace context",
  record.trace
    ? [
        ["trace id", record.trace.traceId],
        ["parent span", record.trace.parentSpanId],
        ["sampled", String(record.trace.sampled)],
        ["tracestate", record.trace.tracestate],
      ]
    : [],
)}
${headerTable("Dead letter", Object.entries(record.deadLetter))}
${headerTable("Other headers", Object.entries(record.otherHeaders))}
</div>
<h2>Value</h2>
<pre id="value">${record.value === null ? "(null: a tombstone)" : (record.pretty ?? record.value)}</pre>
<h2>Raw bytes</h2>
${
  raw
    ? html`<h3>key</h3><pre class="raw">${stored.key === null ? "(null)" : hex(stored.key)}</pre>
<h3>value</h3><pre class="raw">${stored.value === null ? "(null)" : hex(stored.value)}</pre>`
    : html`<p><a href="${href}?raw=1">show the key and value bytes in hex</a></p>`
}`;
}
