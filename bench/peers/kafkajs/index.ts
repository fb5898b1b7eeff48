// KafkaJS is CommonJS: take its values from the default export; types import fine by name.

import type { Logger } from "@kafka-pair/shared/runtime";
import type { KafkaTransport } from "@kafka-pair/shared/transport";
import type { KafkaConfig, logCreator, SASLOptions } from "kafkajs";
import kafkajs from "kafkajs";
import { KafkaJsAdmin } from "./admin.ts";
import { KafkaJsConsumer } from "./consumer.ts";
import type { KafkaJsOptions } from "./options.ts";
import { KafkaJsProducer } from "./producer.ts";

export type { KafkaJsOptions } from "./options.ts";

const { Kafka, logLevel } = kafkajs;

function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, ...extra } = entry;
      const fields = { ns: namespace, ...extra };
      if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.info(fields, message);
      else log.debug(fields, message);
    };
}

/** The same security settings the Confluent adapter passes to librdkafka, in KafkaJS terms. */
function securityConfig(security: Record<string, string>): Pick<KafkaConfig, "ssl" | "sasl"> {
  const protocol = security["security.protocol"] ?? "plaintext";
  if (protocol === "plaintext") return {};
  if (security["ssl.ca.location"] || security["ssl.certificate.location"]) {
    // Certificate files would need node:fs; refuse rather than connect without them.
    throw new Error("the kafkajs transport does not load TLS certificate files; use TRANSPORT=confluent");
  }
  const ssl = protocol === "ssl" || protocol === "sasl_ssl";
  const mechanism = security["sasl.mechanisms"]?.toLowerCase();
  const sasl =
    protocol.startsWith("sasl_") && mechanism
      ? ({
          mechanism,
          username: security["sasl.username"] ?? "",
          password: security["sasl.password"] ?? "",
        } as SASLOptions)
      : undefined;
  return { ssl, ...(sasl ? { sasl } : {}) };
}

/** KafkaJS behind the transport port: the benchmark's pure-JS peer (bench/), not part of the product. */
export function kafkaJsTransport(options: KafkaJsOptions): KafkaTransport {
  const { connection, logger } = options;
  const kafka = new Kafka({
    clientId: connection.clientId,
    brokers: connection.bootstrapServers.split(","),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    ...securityConfig(connection.security),
  });
  return {
    name: "kafkajs",
    producer: () => new KafkaJsProducer(kafka, options),
    consumer: (consumerOptions) => new KafkaJsConsumer(kafka, consumerOptions, logger),
    admin: () => new KafkaJsAdmin(kafka),
  };
}
