import type { KafkaTransport } from "../types.ts";
import { PlatformaticAdmin } from "./admin.ts";
import { PlatformaticConsumer } from "./consumer.ts";
import type { PlatformaticOptions } from "./options.ts";
import { PlatformaticProducer } from "./producer.ts";

export type { PlatformaticOptions } from "./options.ts";

/**
 * The pure-JS adapter for runtimes that cannot load librdkafka (Deno refuses its nan addon):
 * @platformatic/kafka speaks the Kafka protocol over node:net, which Deno provides.
 */
export function platformaticTransport(options: PlatformaticOptions): KafkaTransport {
  return {
    name: "platformatic",
    producer: () => new PlatformaticProducer(options),
    consumer: (consumerOptions) => new PlatformaticConsumer(options, consumerOptions),
    admin: () => new PlatformaticAdmin(options),
  };
}
