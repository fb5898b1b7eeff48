// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import type { KafkaJS } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import type { Logger } from "../../runtime/log.ts";
import { LibrdkafkaConsumer } from "../librdkafka/consumer.ts";
import { LibrdkafkaProducer } from "../librdkafka/producer.ts";
import type { KafkaTransport } from "../types.ts";
import { ConfluentAdmin } from "./admin.ts";
import { bindingLayer } from "./native.ts";
import type { ConfluentOptions } from "./options.ts";

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

/** The Node adapter: the librdkafka core (../librdkafka/) on @confluentinc/kafka-javascript's binding. */
export function confluentTransport(options: ConfluentOptions): KafkaTransport {
  const { connection, logger } = options;
  const kafka = new confluent.KafkaJS.Kafka({
    "client.id": connection.clientId,
    ...connection.security,
    kafkaJS: { brokers: connection.bootstrapServers.split(","), logger: kafkaJsLogger(logger) },
  });
  return {
    name: "confluent",
    producer: () => new LibrdkafkaProducer(bindingLayer, options),
    consumer: (consumerOptions) => new LibrdkafkaConsumer(bindingLayer, options, consumerOptions),
    admin: () => new ConfluentAdmin(kafka),
  };
}
