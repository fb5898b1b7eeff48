import { serve } from "@hono/node-server";
import { loadConfig } from "@kafka-pair/shared/config";
import { contracts } from "@kafka-pair/shared/contracts";
import { createLogger } from "@kafka-pair/shared/log";
import { ensureTopics } from "@kafka-pair/shared/topics";
import { confluentTransport } from "@kafka-pair/shared/transport/confluent";
import { createProducerApp } from "./app.ts";

const config = loadConfig("producer");
const logger = createLogger("producer", config.logLevel);
const transport = confluentTransport({
  connection: config.kafka,
  logger,
  deliveryTimeoutMs: config.deliveryTimeoutMs,
  lingerMs: config.lingerMs,
});

const admin = transport.admin();
await admin.connect();
await ensureTopics(admin, contracts, config.namespace, logger);
await admin.disconnect();

const producer = transport.producer();
await producer.connect();

let draining = false;
let inFlight = 0;
const app = createProducerApp({
  producer,
  logger,
  namespace: config.namespace,
  maxBodyBytes: 1024 * 1024,
  isDraining: () => draining,
});

const server = serve(
  {
    fetch: async (request, env) => {
      inFlight++;
      try {
        return await app.fetch(request, env);
      } finally {
        inFlight--;
      }
    },
    port: config.port,
    hostname: config.host,
  },
  (info) => logger.info({ port: info.port, bootstrap: config.kafka.bootstrapServers }, "producer listening"),
);

async function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  logger.info({ signal, inFlight }, "draining");
  const deadline = Date.now() + config.shutdownTimeoutMs;
  server.close();
  // Every request already accepted gets its delivery report before we go.
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await producer.flush(Math.max(0, deadline - Date.now())).catch((err) => logger.error({ err }, "flush failed"));
  await producer.disconnect();
  logger.info({ inFlight }, "producer stopped");
  process.exit(inFlight === 0 ? 0 : 1);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
