import { html } from "hono/html";
import type { BrokerInfo, TopicInfo } from "../cluster/types.ts";
import type { TopicRole } from "../records/decode.ts";
import type { Html } from "./layout.ts";

export interface ClusterView {
  bootstrapServers: string;
  brokers: BrokerInfo[];
  topics: Array<{ info: TopicInfo; role: TopicRole }>;
}

const sum = (values: string[]) => values.reduce((total, v) => total + BigInt(v), 0n);

export function roleCell(role: TopicRole): Html {
  if (role.kind === "contract") {
    return html`<span class="badge ok" title="${role.contract.description}">contract ${role.contract.name}</span>`;
  }
  if (role.kind === "dead-letter") return html`<span class="badge dlq">dead letters of ${role.contract.name}</span>`;
  return role.deadLetter
    ? html`<span class="badge dlq">dead letters</span>`
    : html`<span class="badge none">no contract</span>`;
}

/** Brokers, and every topic with its partitions, replicas, in-sync replicas, leaders and end offsets. */
export function clusterPage(view: ClusterView): Html {
  return html`
<section>
<h2>Brokers</h2>
<p class="hint">Bootstrap: <code>${view.bootstrapServers}</code>. Kafka in KRaft mode hands clients an arbitrary broker as
"controller", and the Confluent binding does not expose DescribeCluster: the quorum is not shown.</p>
<table id="brokers">
<thead><tr><th>id</th><th>host</th><th>port</th><th>reachable</th><th>leader of</th></tr></thead>
<tbody>${view.brokers.map(
    (b) => html`<tr>
  <td>${b.id}</td><td>${b.host}</td><td>${b.port}</td>
  <td>${b.reachable ? html`<span class="badge ok">yes</span>` : html`<span class="badge bad">no</span>`}</td>
  <td>${view.topics.reduce((n, t) => n + t.info.partitions.filter((p) => p.leader === b.id).length, 0)} partitions</td>
</tr>`,
  )}</tbody>
</table>
</section>
<section>
<h2>Topics</h2>
<table id="topics">
<thead><tr><th>topic</th><th>contract</th><th>partitions</th><th>replicas</th><th>in sync</th><th>leaders</th><th>records (end − start)</th><th>end offsets</th></tr></thead>
<tbody>${view.topics.map(({ info, role }) => {
    const replicas = info.partitions[0]?.replicas.length ?? 0;
    const underReplicated = info.partitions.filter((p) => p.isr.length < p.replicas.length).length;
    return html`<tr data-topic="${info.name}">
  <td><a href="/topics/${encodeURIComponent(info.name)}">${info.name}</a></td>
  <td>${roleCell(role)}</td>
  <td>${info.partitions.length}</td>
  <td>${replicas}</td>
  <td>${underReplicated === 0 ? html`<span class="badge ok">all</span>` : html`<span class="badge bad">${underReplicated} under-replicated</span>`}</td>
  <td>${info.partitions.map((p) => (p.leader < 0 ? "none" : String(p.leader))).join(" ")}</td>
  <td>${String(sum(info.partitions.map((p) => p.high)) - sum(info.partitions.map((p) => p.low)))}</td>
  <td>${info.partitions.map((p) => p.high).join(" · ")}</td>
</tr>`;
  })}</tbody>
</table>
</section>`;
}
