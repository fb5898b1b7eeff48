// The produce form: the event is checked against the contract's own valibot schema as it is
// typed (the same module the producer edge validates with), then posted through the console
// to the producer edge; the edge's answer is shown as it came.
import { findContract } from "@kafka-pair/shared/contracts";
import * as v from "valibot";
import { el } from "./dom.ts";

const form = document.querySelector<HTMLFormElement>("#produce");
const area = document.querySelector<HTMLTextAreaElement>("#event");
const issuesList = document.querySelector<HTMLUListElement>("#issues");
const send = document.querySelector<HTMLButtonElement>("#send");
const answer = document.querySelector<HTMLElement>("#answer");
const token = document.querySelector<HTMLInputElement>("#token");
const contract = findContract(form?.dataset.topic ?? "");

function check(): unknown {
  if (!area || !issuesList || !send || !contract) return undefined;
  issuesList.replaceChildren();
  let input: unknown;
  try {
    input = JSON.parse(area.value);
  } catch (err) {
    issuesList.append(el("li", {}, `not JSON: ${(err as Error).message}`));
    send.disabled = true;
    return undefined;
  }
  const result = v.safeParse(contract.schema, input);
  if (!result.success) {
    for (const issue of result.issues) {
      issuesList.append(el("li", {}, el("code", {}, v.getDotPath(issue) ?? "(value)"), `: ${issue.message}`));
    }
  }
  issuesList.dataset.valid = String(result.success);
  send.disabled = !result.success;
  return result.success ? input : undefined;
}

if (form && area && answer && contract) {
  area.addEventListener("input", check);
  check();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = check();
    if (input === undefined) return;
    answer.textContent = "sending…";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token?.value) headers.authorization = `Bearer ${token.value}`;
    const res = await fetch(`/api/produce/${encodeURIComponent(contract.name)}`, {
      method: "POST",
      headers,
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as unknown;
    answer.textContent = `${res.status}\n${JSON.stringify(body, null, 2)}`;
    answer.dataset.status = String(res.status);
  });
}
