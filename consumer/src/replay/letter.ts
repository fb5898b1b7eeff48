import type { Logger } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage, DeliveryReport, ProducerTransport } from "@kafka-pair/shared/transport";
import { replayRecord } from "../dead-letter.ts";

/** Who asked for a replay, for the audit line: the CLI, or the console and its caller's address. */
export interface ReplayActor {
  via: "cli" | "console";
  by?: string;
}

/**
 * Sends one dead letter back to its source topic (as first written, `dlq_*` headers dropped,
 * `replayed_from` added) and writes the audit line once Kafka has it. Shared by
 * `npm run replay` (consumer/src/replay/main.ts) and the console's replay route.
 */
export async function replayLetter(
  producer: ProducerTransport,
  letter: ConsumedMessage,
  sourceTopic: string,
  logger: Logger,
  actor: ReplayActor,
): Promise<DeliveryReport> {
  const report = await producer.send(replayRecord(letter, sourceTopic));
  logger.info({ from: `${letter.topic}/${letter.partition}/${letter.offset}`, to: report, ...actor }, "replayed");
  return report;
}
