import { html } from "hono/html";
import type { GroupInfo, GroupSummary } from "../cluster/types.ts";
import type { PartitionLag } from "../groups/lag.ts";
import type { Html } from "./layout.ts";

export interface GroupRow extends GroupSummary {
  members: number;
  lag: bigint | undefined;
}

export function groupsPage(groups: GroupRow[]): Html {
  return html`<table id="groups">
<thead><tr><th>group</th><th>state</th><th>protocol</th><th>members</th><th>total lag</th></tr></thead>
<tbody>${groups.map(
    (g) => html`<tr data-group="${g.groupId}">
  <td><a href="/groups/${encodeURIComponent(g.groupId)}">${g.groupId}</a></td>
  <td>${g.state}</td><td>${g.protocolType || "-"}</td><td>${g.members}</td>
  <td class="lag">${g.lag === undefined ? "-" : String(g.lag)}</td>
</tr>`,
  )}</tbody></table>
${groups.length === 0 ? html`<p class="hint">No consumer group on this cluster yet.</p>` : ""}`;
}

/** A group: its members and their assignment, committed offsets and lag per partition, and a chart. */
export function groupPage(group: GroupInfo, lags: PartitionLag[], total: bigint): Html {
  return html`
<p>state <strong id="state">${group.state}</strong> · assignor ${group.assignor || "-"} · coordinator broker ${group.coordinator ?? "-"} ·
total lag <strong id="total-lag">${String(total)}</strong></p>
<h2>Lag and throughput, last minutes</h2>
<figure id="chart" data-group="${group.groupId}"><svg viewBox="0 0 600 200" role="img" aria-label="lag and throughput"></svg>
<figcaption><span class="lag-key">lag (records, from Kafka's offsets)</span> · <span class="rate-key">throughput (records/s)</span>:
the consumer worker's processed counter while the console reaches its <code>/metrics</code>, else Kafka's committed offsets</figcaption></figure>
<h2>Members</h2>
<table id="members">
<thead><tr><th>client id</th><th>host</th><th>member id</th><th>assignment</th></tr></thead>
<tbody>${group.members.map(
    (m) => html`<tr><td>${m.clientId}</td><td>${m.clientHost}</td><td><code>${m.memberId}</code></td>
<td>${m.assignment.map((a) => `${a.topic}/${a.partition}`).join(", ") || "-"}</td></tr>`,
  )}</tbody></table>
${group.members.length === 0 ? html`<p class="hint">No member: the group is not running now.</p>` : ""}
<h2>Offsets and lag</h2>
<table id="lag">
<thead><tr><th>topic</th><th>partition</th><th>committed</th><th>end</th><th>lag</th><th>owner</th></tr></thead>
<tbody>${lags.map(
    (l) => html`<tr data-topic="${l.topic}" data-partition="${l.partition}">
  <td><a href="/topics/${encodeURIComponent(l.topic)}">${l.topic}</a></td><td>${l.partition}</td>
  <td>${l.committed === undefined ? "none" : String(l.committed)}</td><td>${String(l.end)}</td>
  <td class="lag">${String(l.lag)}</td><td>${l.owner ?? "-"}</td></tr>`,
  )}</tbody></table>`;
}
