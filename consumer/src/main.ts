import { serve } from "@hono/node-server";
import { loadConfig } from "@kafka-pair/shared/config";
import { contracts } from "@kafka-pair/shared/contracts";
import { createLogger } from "@kafka-pair/shared/log";
import { ensureTopics } from "@kafka-pair/shared/topics";
import { confluentTransport } from "@kafka-pair/shared/transport/confluent";
import { createConsumerApp } from "./app.ts";
import { subscriptions } from "./handlers/index.ts";
import { SubscriptionRunner } from "./runner.ts";

const config = loadConfig("consumer");
const logger = createLogger("consumer", config.logLevel);
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

let draining = false;
const runners = subscriptions.map((s) => new SubscriptionRunner(transport, s, config.namespace, logger));
const app = createConsumerApp({ runners, isDraining: () => draining });
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
  logger.info({ port: info.port, bootstrap: config.kafka.bootstrapServers }, "consumer listening"),
);
await Promise.all(runners.map((r) => r.start()));

async function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  logger.info({ signal }, "stopping: finishing the messages in hand");
  const timer = setTimeout(() => {
    logger.error("shutdown timed out");
    process.exit(1);
  }, config.shutdownTimeoutMs);
  // Disconnect waits for the handler in progress; its offset is committed before it returns.
  await Promise.all(runners.map((r) => r.stop()));
  server.close();
  clearTimeout(timer);
  logger.info("consumer stopped");
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
