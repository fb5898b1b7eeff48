// Small DOM helpers for the console's pages. Text goes in through textContent only: nothing
// from Kafka is ever parsed as markup in the browser.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  return node;
}

export interface RecordSummary {
  topic: string;
  partition: number;
  offset: string;
  time: string;
  key: string | null;
  check: { status: "valid" | "invalid" | "none"; contract?: string; issues?: Array<{ path: string; message: string }> };
  value: string | null;
  type: string | undefined;
  headers: number;
}

export function badge(check: RecordSummary["check"]): HTMLElement {
  if (check.status === "valid") return el("span", { class: "badge ok" }, `✔ ${check.contract}`);
  if (check.status === "invalid") {
    const node = el("span", { class: "badge bad" }, `✘ ${check.contract}`);
    node.title = (check.issues ?? []).map((i) => `${i.path}: ${i.message}`).join("\n");
    return node;
  }
  return el("span", { class: "badge none" }, "no contract");
}

/** A row like the server-rendered ones of the topic page. */
export function recordRow(r: RecordSummary): HTMLTableRowElement {
  const href = `/topics/${encodeURIComponent(r.topic)}/records/${r.partition}/${r.offset}`;
  const row = el(
    "tr",
    { class: "record", "data-partition": String(r.partition), "data-offset": r.offset },
    el("td", {}, String(r.partition)),
    el("td", {}, el("a", { href }, r.offset)),
    el("td", {}, r.time),
    el("td", { class: "key" }, r.key === null ? el("em", {}, "null") : el("code", {}, r.key)),
    el("td", {}, badge(r.check)),
    el("td", { class: "value" }, el("code", {}, r.value ?? "(null)")),
    el("td", { class: "headers" }, r.type ?? "", r.headers > 0 ? ` +${r.headers} headers` : ""),
  );
  return row;
}
