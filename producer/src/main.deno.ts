// Deno entry point: Deno.serve and librdkafka through Deno FFI (the Confluent client's C library;
// its Node binding is a nan addon Deno cannot load), or @platformatic/kafka with
// TRANSPORT=platformatic. Same boot as on Node.
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { denoServe, exitOnSignals } from "@kafka-pair/shared/runtime/deno";
import { createDenoTransport } from "@kafka-pair/shared/transport/deno";
import { bootProducer } from "./boot.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: await createDenoTransport(config, logger),
  serve: denoServe,
});

exitOnSignals(worker, logger);
