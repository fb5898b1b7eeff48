// Bench-only producer entry for the KafkaJS peer: the product's producer (bootProducer, the
// same HTTP edge on @hono/node-server) on bench/peers/kafkajs instead of librdkafka. The
// product's own runs use producer/src/main.ts.
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { bootProducer } from "@kafka-pair/producer/boot";
import { hardenNodeServer } from "@kafka-pair/producer/node-server";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { kafkaJsTransport } from "../peers/kafkajs/index.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: kafkaJsTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs }),
  serve: (fetch, { port, hostname, onListen }) => {
    const server = serve({ fetch, port, hostname }, (info) => onListen(info.port));
    hardenNodeServer(server as Server, { maxBodyBytes: config.producer.maxBodyBytes, logger });
    return server;
  },
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void worker.shutdown(signal).then((code) => process.exit(code)));
}
