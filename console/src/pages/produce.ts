import type { TopicContract } from "@kafka-pair/shared/contracts";
import { html } from "hono/html";
import type { Html } from "./layout.ts";

export function producePickPage(contracts: readonly TopicContract[]): Html {
  return html`<ul id="contracts">${contracts.map(
    (c) => html`<li><a href="/produce/${encodeURIComponent(c.name)}">${c.name}</a>: ${c.description}</li>`,
  )}</ul>`;
}

export interface ProduceView {
  contract: TopicContract;
  example: string;
  producerUrl: string;
  writable: boolean;
  needsToken: boolean;
}

/**
 * The produce form of one contract: the event as JSON, checked in the page against the contract's
 * own valibot schema (/assets/produce.js bundles @kafka-pair/shared/contracts), sent through the
 * producer edge; its answer is shown as it came (201 with partition and offset, or the error).
 */
export function producePage(view: ProduceView): Html {
  if (!view.writable) return html`<p class="hint">Read-only console: produce is not available here.</p>`;
  return html`
<p>${view.contract.description} Posted to <code>${view.producerUrl}/topics/${view.contract.name}</code> through this console.</p>
<form id="produce" data-topic="${view.contract.name}">
  <label for="event">event (${view.contract.encoding === "json" ? "JSON" : "JSON string of the text"})</label>
  <textarea id="event" name="event" rows="16" cols="80" spellcheck="false">${view.example}</textarea>
  ${view.needsToken ? html`<label>producer token <input id="token" type="password" size="40" autocomplete="off"></label>` : ""}
  <ul id="issues" aria-live="polite"></ul>
  <p><button type="submit" id="send">Send</button></p>
</form>
<h2>Answer</h2>
<pre id="answer" role="status">(nothing sent yet)</pre>`;
}
