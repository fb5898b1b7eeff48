import { readFileSync } from "node:fs";
import type { BaseOptions, SASLMechanismValue } from "@platformatic/kafka";
import type { KafkaConnection } from "../../runtime/config.ts";
import type { Logger } from "../../runtime/log.ts";

export interface PlatformaticOptions {
  connection: KafkaConnection;
  logger: Logger;
  deliveryTimeoutMs: number;
}

/** The librdkafka security properties from the config, in @platformatic/kafka's terms. */
function securityOptions(security: Record<string, string>): Pick<BaseOptions, "tls" | "sasl"> {
  const protocol = security["security.protocol"] ?? "plaintext";
  if (protocol === "plaintext") return {};
  const read = (key: string) => (security[key] ? readFileSync(security[key]) : undefined);
  const tls =
    protocol === "ssl" || protocol === "sasl_ssl"
      ? { ca: read("ssl.ca.location"), cert: read("ssl.certificate.location"), key: read("ssl.key.location") }
      : undefined;
  const mechanism = security["sasl.mechanisms"];
  const sasl =
    protocol.startsWith("sasl_") && mechanism
      ? {
          mechanism: mechanism as SASLMechanismValue,
          username: security["sasl.username"] ?? "",
          password: security["sasl.password"] ?? "",
        }
      : undefined;
  return { ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

export function baseOptions(options: PlatformaticOptions): BaseOptions {
  const { connection } = options;
  return {
    clientId: connection.clientId,
    bootstrapBrokers: connection.bootstrapServers.split(","),
    // Never create a topic by producing to it: topics come from the contracts.
    autocreateTopics: false,
    ...securityOptions(connection.security),
  };
}
