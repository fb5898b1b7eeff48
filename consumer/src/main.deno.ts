// Deno entry point: Deno.serve and the pure-JS @platformatic/kafka client, because Deno loads
// only Node-API addons and librdkafka's binding is not one. Same boot as on Node.
import { loadConfig } from "@kafka-pair/shared/config";
import { createLogger } from "@kafka-pair/shared/log";
import { denoServe, exitOnSignals } from "@kafka-pair/shared/runtime/deno";
import { platformaticTransport } from "@kafka-pair/shared/transport/platformatic";
import { bootConsumer } from "./boot.ts";
import { loadSubscriptions } from "./subscriptions.ts";

const config = loadConfig("consumer");
const logger = createLogger("consumer", config.logLevel);
const worker = await bootConsumer({
  config,
  logger,
  transport: platformaticTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs }),
  subscriptions: await loadSubscriptions(config.consumer.handlersModule),
  serve: denoServe,
});

exitOnSignals(worker);
