// Node entry point: @hono/node-server and the Kafka client TRANSPORT names (default: the librdkafka-backed Confluent client).
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createLogger, loadConfig, stopOnSignals } from "@kafka-pair/shared/runtime";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { bootProducer } from "./boot.ts";
import { hardenNodeServer } from "./node-server.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: await createTransport(config, logger),
  serve: (fetch, { port, hostname, onListen }) => {
    const server = serve({ fetch, port, hostname }, (info) => onListen(info.port));
    // Parser errors and Expect answered in the JSON error model, before the app runs.
    hardenNodeServer(server as Server, { maxBodyBytes: config.producer.maxBodyBytes, logger });
    return server;
  },
});

// One graceful stop per Ctrl-C or SIGTERM, however many wrappers relay it; a later signal forces the exit.
const onSignal = stopOnSignals({
  shutdown: (signal) => worker.shutdown(signal),
  exit: (code) => process.exit(code),
  logger,
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, onSignal);
