// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import type { KafkaJS } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import type { Logger } from "../../log.ts";
import type { KafkaTransport } from "../types.ts";
import { ConfluentAdmin } from "./admin.ts";
import { ConfluentConsumer } from "./consumer.ts";
import type { ConfluentOptions } from "./options.ts";
import { ConfluentProducer } from "./producer.ts";

export type { ConfluentOptions } from "./options.ts";

function kafkaJsLogger(logger: Logger): KafkaJS.Logger {
  const make = (log: Logger): KafkaJS.Logger => ({
    info: (message, extra) => log.info(extra ?? {}, message),
    warn: (message, extra) => log.warn(extra ?? {}, message),
    error: (message, extra) => log.error(extra ?? {}, message),
    debug: (message, extra) => log.debug(extra ?? {}, message),
    namespace: (namespace) => make(log.child({ ns: namespace })),
    setLogLevel: () => {},
  });
  return make(logger.child({ component: "librdkafka" }));
}

/** The production adapter: librdkafka through @confluentinc/kafka-javascript. */
export function confluentTransport(options: ConfluentOptions): KafkaTransport {
  const { connection, logger } = options;
  const kafka = new confluent.KafkaJS.Kafka({
    "client.id": connection.clientId,
    ...connection.security,
    kafkaJS: { brokers: connection.bootstrapServers.split(","), logger: kafkaJsLogger(logger) },
  });
  return {
    name: "confluent",
    producer: () => new ConfluentProducer(options),
    consumer: (consumerOptions) => new ConfluentConsumer(options, consumerOptions),
    admin: () => new ConfluentAdmin(kafka),
  };
}
