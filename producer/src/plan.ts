import type { TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ParsedBody } from "./ingest/parse.ts";
import { type BuiltRecord, buildRecord, type RecordContext } from "./ingest/record.ts";

/** What a produce request will do, decided before anything reaches Kafka. */
export type Plan =
  /** One event: it is valid (an invalid one is refused while planning). */
  | { strategy: "one"; record: BuiltRecord }
  /** A batch, each record on its own: invalid records get their own error, the others are sent. */
  | { strategy: "batch"; entries: Array<BuiltRecord | KafkaPairError> }
  /** A batch in one transaction: sent only when every record is valid. */
  | { strategy: "atomic"; entries: Array<BuiltRecord | KafkaPairError> };

export interface PlanInput {
  contract: TopicContract;
  parsed: ParsedBody;
  atomic: boolean;
  idempotencyKey: string | undefined;
  context: Omit<RecordContext, "id">;
}

/** Pure: builds every record (contract, size, envelope) and picks the strategy. */
export function planProduce(input: PlanInput): Plan {
  const { contract, parsed, idempotencyKey: key, context } = input;
  const entries = parsed.items.map((item, index): BuiltRecord | KafkaPairError => {
    if (item instanceof KafkaPairError) return item;
    // One key names one event; in a batch each plain-JSON record gets `<key>-<index>`.
    const id = key === undefined ? undefined : parsed.batch ? `${key}-${index}` : key;
    try {
      return buildRecord(contract, item, { ...context, id });
    } catch (err) {
      if (err instanceof KafkaPairError) return err;
      throw err;
    }
  });
  if (!parsed.batch) {
    const only = entries[0];
    if (!only) throw new KafkaPairError("INVALID_EVENT", "no event in the request");
    if (only instanceof KafkaPairError) throw only;
    return { strategy: "one", record: only };
  }
  if (entries.length === 0) throw new KafkaPairError("INVALID_EVENT", "the batch is empty");
  return input.atomic ? { strategy: "atomic", entries } : { strategy: "batch", entries };
}
