import { type EventOf, encodeValue, type TopicContract } from "@kafka-pair/shared/contracts";
import type { Namespace } from "@kafka-pair/shared/namespace";
import type { DeliveryReport, ProducerTransport } from "@kafka-pair/shared/transport";

/**
 * Turns a checked event into its Kafka record and waits for Kafka's delivery report.
 * The report names the contract's logical topic, as the client addressed it.
 */
export async function publish<C extends TopicContract>(
  deps: { producer: ProducerTransport; namespace: Namespace },
  contract: C,
  event: EventOf<C>,
): Promise<DeliveryReport> {
  const report = await deps.producer.send({
    topic: deps.namespace.topic(contract.name),
    key: contract.key(event),
    value: encodeValue(contract, event),
  });
  return { ...report, topic: contract.name };
}
