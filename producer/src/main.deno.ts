// Deno entry point: Deno.serve and the pure-JS @platformatic/kafka client, because Deno loads
// only Node-API addons and librdkafka's binding is not one. Same boot as on Node.
import process from "node:process";
import { loadConfig } from "@kafka-pair/shared/config";
import { createLogger } from "@kafka-pair/shared/log";
import { platformaticTransport } from "@kafka-pair/shared/transport/platformatic";
import { bootProducer } from "./boot.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: platformaticTransport({ connection: config.kafka, logger, deliveryTimeoutMs: config.deliveryTimeoutMs }),
  serve: (fetch, { port, hostname, onListen }) => {
    const server = Deno.serve({ port, hostname, onListen: (addr) => onListen(addr.port) }, fetch);
    return { close: () => server.shutdown() };
  },
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => {
    // Not Deno.exit: node:process's exit runs pino's exit hook, which writes the log lines still
    // queued (the last ones, e.g. "producer stopped", are lost otherwise).
    void worker.shutdown(signal).then(
      (code) => process.exit(code),
      () => process.exit(1),
    );
  });
}
