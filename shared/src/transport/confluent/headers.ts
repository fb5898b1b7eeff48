import { Buffer } from "node:buffer";
import type { MessageHeader } from "@confluentinc/kafka-javascript";

/**
 * Headers in the binding's shape (one single-key object each). A header whose value repeats
 * record after record (ce_specversion, ce_source, ce_type, content-type) is handed over as one
 * shared object holding a Buffer: the binding copies a Buffer's bytes where it transcodes a
 * string. With the edge's seven headers that took 1–3 µs off the binding's ~11 µs per record.
 * Sharing is safe: the binding copies header values into librdkafka before produce returns.
 */
export class HeaderCache {
  readonly #last = new Map<string, { value: string; header: MessageHeader }>();

  of(headers: Record<string, string>): MessageHeader[] {
    const out: MessageHeader[] = [];
    for (const name in headers) {
      const value = headers[name] as string;
      const last = this.#last.get(name);
      if (last?.value === value) {
        if (typeof last.header[name] === "string") last.header = { [name]: Buffer.from(value) };
        out.push(last.header);
      } else {
        const header = { [name]: value };
        this.#last.set(name, { value, header });
        out.push(header);
      }
    }
    return out;
  }
}
