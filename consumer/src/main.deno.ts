// Deno entry point: Deno.serve and librdkafka through Deno FFI (the Confluent client's C library;
// its Node binding is a nan addon Deno cannot load), or @platformatic/kafka with
// TRANSPORT=platformatic. Same boot as on Node.
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { denoServe, exitOnSignals } from "@kafka-pair/shared/runtime/deno";
import { createDenoTransport } from "@kafka-pair/shared/transport/deno";
import { bootConsumer } from "./boot.ts";
import { loadSubscriptions } from "./subscriptions.ts";

const config = loadConfig("consumer");
const logger = createLogger("consumer", config.logLevel);
const worker = await bootConsumer({
  config,
  logger,
  transport: await createDenoTransport(config, logger),
  subscriptions: await loadSubscriptions(config.consumer.handlersModule),
  serve: denoServe,
});

exitOnSignals(worker, logger);
