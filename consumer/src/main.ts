// Node entry point: @hono/node-server and the Kafka client TRANSPORT names (default: the librdkafka-backed Confluent client).
import { serve } from "@hono/node-server";
import { createLogger, loadConfig, stopOnSignals } from "@kafka-pair/shared/runtime";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { bootConsumer } from "./boot.ts";
import { loadSubscriptions } from "./subscriptions.ts";

const config = loadConfig("consumer");
const logger = createLogger("consumer", config.logLevel);
const worker = await bootConsumer({
  config,
  logger,
  transport: await createTransport(config, logger),
  subscriptions: await loadSubscriptions(config.consumer.handlersModule),
  serve: (fetch, { port, hostname, onListen }) => serve({ fetch, port, hostname }, (info) => onListen(info.port)),
});

// One graceful stop per Ctrl-C or SIGTERM, however many wrappers relay it; a later signal forces the exit.
const onSignal = stopOnSignals({
  shutdown: (signal) => worker.shutdown(signal),
  exit: (code) => process.exit(code),
  logger,
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, onSignal);
