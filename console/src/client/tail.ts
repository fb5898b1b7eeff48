import { type RecordSummary, recordRow } from "./dom.ts";

const MAX_ROWS = 500;

const table = document.querySelector<HTMLTableElement>("#tail");
const status = document.querySelector<HTMLElement>("#tail-status");
if (table && status) {
  const body = table.tBodies[0] as HTMLTableSectionElement;
  const topic = table.dataset.topic ?? "";
  const source = new EventSource(`/api/tail/${encodeURIComponent(topic)}`);
  source.addEventListener("ready", () => {
    status.textContent = "live";
    status.dataset.state = "live";
  });
  source.addEventListener("record", (event) => {
    const record = JSON.parse((event as MessageEvent<string>).data) as RecordSummary;
    body.prepend(recordRow(record));
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  });
  source.addEventListener("failure", (event) => {
    status.textContent = `stopped: ${(event as MessageEvent<string>).data}`;
    source.close();
  });
  source.onerror = () => {
    status.textContent = "reconnecting…";
    status.dataset.state = "reconnecting";
  };
}
