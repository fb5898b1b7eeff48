// Bench-only producer entry: producer/src/main.ts with the adapter TRANSPORT names.
import { serve } from "@hono/node-server";
import { loadConfig } from "@kafka-pair/shared/config";
import { createLogger } from "@kafka-pair/shared/log";
import { createTransport } from "@kafka-pair/shared/transport/select";
import { bootProducer } from "../../producer/src/boot.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const worker = await bootProducer({
  config,
  logger,
  transport: await createTransport(config, logger),
  serve: (fetch, { port, hostname, onListen }) => serve({ fetch, port, hostname }, (info) => onListen(info.port)),
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void worker.shutdown(signal).then((code) => process.exit(code)));
}
