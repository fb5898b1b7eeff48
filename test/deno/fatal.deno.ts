// Run by fatal.spec.ts under Deno: the producer worker on the FFI adapter, with a fatal error
// injected into its librdkafka handle (rd_kafka_test_fatal_error) while requests are in flight.
// Prints one JSON line with every answer and every /ready seen; the spec judges it against Kafka.
// Env: as the producer worker (KAFKA_BOOTSTRAP_SERVERS, KAFKA_NAMESPACE, PORT).

import { bootProducer } from "@kafka-pair/producer/boot";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { denoServe } from "@kafka-pair/shared/runtime/deno";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import type { FfiProducer, FfiProducerHandle } from "@kafka-pair/shared/transport/deno";
import { createDenoTransport } from "@kafka-pair/shared/transport/deno";

const ERR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const config = loadConfig("producer");
const logger = createLogger("producer", "info");
const transport = await createDenoTransport(config, logger);
let producer: ProducerTransport | undefined;
const worker = await bootProducer({
  config,
  logger,
  transport: {
    ...transport,
    name: transport.name,
    producer: () => {
      producer = transport.producer();
      return producer;
    },
  },
  serve: denoServe,
});
const base = `http://127.0.0.1:${config.port}`;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
const ready = async () => (await fetch(`${base}/ready`).then((r) => r.body?.cancel().then(() => r.status))) === 200;

interface Answer {
  orderId: string;
  status: number;
  code?: string;
}

function order() {
  return {
    orderId: crypto.randomUUID(),
    customerId: crypto.randomUUID(),
    currency: "EUR",
    lines: [{ sku: "SKU-1", quantity: 1, unitPriceCents: 100 }],
    placedAt: new Date().toISOString(),
  };
}

async function post(): Promise<Answer> {
  const body = order();
  const res = await fetch(`${base}/topics/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  return { orderId: body.orderId, status: res.status, code: json?.error?.code };
}

await waitFor(ready, "the producer to be ready");
const before = await Promise.all(Array.from({ length: 20 }, post));

// Requests on their way while the handle dies, and /ready sampled until it recovers.
const handle = (producer as FfiProducer | undefined)?.handle as FfiProducerHandle | undefined;
if (!handle) throw new Error("the producer is not the FFI adapter's");
const during = Array.from({ length: 40 }, post);
// Inject once records are inside librdkafka awaiting their reports: the case that matters.
await waitFor(async () => handle.inFlight > 0, "records in flight", 10_000);
const inFlightAtInjection = handle.inFlight;
const injected = handle.injectFatalError(ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected by fatal.deno.ts");
const readySeen: number[] = [];
await waitFor(async () => {
  const status = await fetch(`${base}/ready`).then((r) => r.body?.cancel().then(() => r.status));
  if (readySeen.at(-1) !== status) readySeen.push(status ?? 0);
  return readySeen.includes(503) && status === 200;
}, "the producer to be replaced and ready again");
const duringAnswers = await Promise.all(during);
const after = await Promise.all(Array.from({ length: 10 }, post));
await worker.shutdown("SIGTERM");
console.log(JSON.stringify({ injected, inFlightAtInjection, before, during: duringAnswers, after, readySeen }));
Deno.exit(0);
