// Deno entry point: Deno.serve and the pure-JS @platformatic/kafka client, because Deno loads
// only Node-API addons and librdkafka's binding is not one. Same boot as on Node.
import { loadConfig } from "@kafka-pair/shared/config";
import { createLogger } from "@kafka-pair/shared/log";
import { denoServe, exitOnSignals } from "@kafka-pair/shared/runtime/deno";
import { platformaticTransport } from "@kafka-pair/shared/transport/platformatic";
import { bootProducer } from "./boot.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: platformaticTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs }),
  serve: denoServe,
});

exitOnSignals(worker);
