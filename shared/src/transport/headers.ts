/** Kafka record headers as the workers see them: UTF-8 strings by name (the envelope codec's `ce_*`, `traceparent`). */
export type Headers = Record<string, string>;
