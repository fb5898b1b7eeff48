// The console's entry point: `npm run console`, and beside the workers in `npm start` / `npm run dev`.
// Same configuration as the workers (shared/src/runtime/config.ts), role "console": 127.0.0.1:8989 by default.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { connectInBackground, createLogger, loadConfig, stopOnSignals } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import { confluentTransport } from "@kafka-pair/shared/transport/node";
import { createConsoleApp } from "./app.ts";
import { buildAssets } from "./assets/build.ts";
import { ConfluentCluster } from "./cluster/confluent.ts";
import { consumerMetricsReader } from "./groups/consumer-metrics.ts";
import { LagSampler } from "./groups/sampler.ts";
import { isLoopback } from "./guard/loopback.ts";

const config = loadConfig("console");
const logger = createLogger("console", config.logLevel);
let stopping = false;

const cluster = new ConfluentCluster({ connection: config.kafka, logger });
const sampler = new LagSampler(
  cluster,
  logger,
  Date.now,
  consumerMetricsReader(config.console.consumerUrl, (group) => config.namespace.group(group)),
);
let producer: Promise<ProducerTransport> | undefined;
const replayProducer = () => {
  producer ??= (async () => {
    const p = confluentTransport({
      connection: config.kafka,
      logger,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      lingerMs: 0,
    }).producer();
    await p.connect();
    return p;
  })().catch((err: unknown) => {
    producer = undefined;
    throw err;
  });
  return producer;
};

const loopback = isLoopback(config.host);
const app = createConsoleApp({
  cluster,
  namespace: config.namespace,
  logger,
  bootstrapServers: config.kafka.bootstrapServers,
  guard: { loopback, apiToken: config.producer.apiToken },
  producerUrl: config.console.producerUrl,
  fetchEdge: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(config.deliveryTimeoutMs + 5_000) }),
  replayProducer,
  sampler,
  assets: await buildAssets(),
  remoteAddress: (c) => getConnInfo(c).remote.address,
});

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
  logger.info(
    {
      url: `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`,
      loopback,
      writable: loopback || config.producer.apiToken !== undefined,
    },
    "console listening",
  );
});

connectInBackground(
  async () => {
    await cluster.connect();
    sampler.start(config.console.sampleIntervalMs);
    logger.info({ bootstrapServers: config.kafka.bootstrapServers }, "console connected to Kafka");
  },
  { logger, stopped: () => stopping },
);

async function shutdown(signal: string): Promise<number> {
  stopping = true;
  logger.info({ signal }, "console stopping");
  sampler.stop();
  // Open live tails are long requests: closing every connection ends them.
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
  await cluster.close().catch((err: unknown) => logger.warn({ err }, "closing the Kafka clients failed"));
  if (producer) await (await producer.catch(() => undefined))?.disconnect();
  return 0;
}

// One graceful stop per Ctrl-C or SIGTERM, as the workers do (shared/src/runtime/signals.ts): a wrapper's
// relayed copy is the same request, a later signal forces the exit.
const onSignal = stopOnSignals({
  shutdown: (signal) => {
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    force.unref();
    return shutdown(signal);
  },
  exit: (code) => process.exit(code),
  logger,
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, onSignal);
