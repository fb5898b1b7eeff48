/**
 * End-to-end check of the local cluster with Kafka's own tools:
 * topic RF 3 + ISR 3, idempotent acks=all throughput, a transactional producer
 * read back read_committed, and produce-while-a-broker-is-SIGKILLed.
 *
 *   tsx scripts/kafka/smoke.ts            (brings the cluster up if needed, leaves it up)
 */
import {
  BOOTSTRAP_SERVERS,
  clusterStatus,
  clusterUp,
  type JavaResult,
  kafkaJava,
  killBroker,
  startBroker,
} from "./launcher.ts";

const T = "org.apache.kafka.tools";
const log = (msg: string) => console.log(`[smoke] ${msg}`);

function check(r: JavaResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const lastLine = (s: string) => s.trim().split("\n").at(-1) ?? "";

async function describe(topic: string): Promise<string[]> {
  const out = check(
    await kafkaJava(`${T}.TopicCommand`, ["--bootstrap-server", BOOTSTRAP_SERVERS, "--describe", "--topic", topic]),
    "describe",
  );
  return out.split("\n").filter((l) => /\bPartition: \d/.test(l));
}

const isrSize = (line: string) => (/Isr: ([\d,]+)/.exec(line)?.[1] ?? "").split(",").filter(Boolean).length;

async function waitFullIsr(topic: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const parts = await describe(topic);
    if (parts.length === 3 && parts.every((l) => isrSize(l) === 3)) return parts;
    if (Date.now() > deadline) throw new Error(`ISR did not return to 3:\n${parts.join("\n")}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function perf(
  topic: string,
  records: number,
  size: number,
  extra: string[] = [],
  props: string[] = [],
): Promise<JavaResult> {
  return kafkaJava(
    `${T}.ProducerPerformance`,
    [
      "--topic",
      topic,
      "--num-records",
      String(records),
      "--record-size",
      String(size),
      "--throughput",
      "-1",
      "--producer-props",
      `bootstrap.servers=${BOOTSTRAP_SERVERS}`,
      "acks=all",
      "enable.idempotence=true",
      ...props,
      ...extra,
    ],
    { timeoutMs: 180_000 },
  );
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const up = await clusterUp({ log });
  log(`cluster ${up.started ? "started" : "already up"} (${Date.now() - t0} ms)`);

  const topic = `smoke-${Date.now()}`;
  check(
    await kafkaJava(`${T}.TopicCommand`, [
      "--bootstrap-server",
      BOOTSTRAP_SERVERS,
      "--create",
      "--topic",
      topic,
      "--partitions",
      "3",
      "--replication-factor",
      "3",
    ]),
    "create topic",
  );
  const parts = await waitFullIsr(topic, 15_000);
  log(`topic ${topic}:\n  ${parts.map((l) => l.trim()).join("\n  ")}`);

  const p = await perf(topic, 100_000, 1024);
  log(`ProducerPerformance 100000 x 1 KiB, acks=all, idempotent: ${lastLine(check(p, "ProducerPerformance"))}`);

  // Transactions need __transaction_state (RF 3, min ISR 2); read_committed must see every committed record.
  const txTopic = `${topic}-tx`;
  check(
    await kafkaJava(`${T}.TopicCommand`, ["--bootstrap-server", BOOTSTRAP_SERVERS, "--create", "--topic", txTopic]),
    "create tx topic",
  );
  const tx = await perf(txTopic, 10_000, 100, [
    "--transactional-id",
    `smoke-tx-${Date.now()}`,
    "--transaction-duration-ms",
    "200",
  ]);
  log(`transactional ProducerPerformance: ${lastLine(check(tx, "transactional ProducerPerformance"))}`);
  const consumed = check(
    await kafkaJava(
      `${T}.consumer.ConsoleConsumer`,
      [
        "--bootstrap-server",
        BOOTSTRAP_SERVERS,
        "--topic",
        txTopic,
        "--from-beginning",
        "--isolation-level",
        "read_committed",
        "--max-messages",
        "10000",
        "--timeout-ms",
        "30000",
      ],
      { timeoutMs: 60_000 },
    ),
    "read_committed consume",
  );
  const n = consumed.split("\n").filter(Boolean).length;
  log(`read_committed consumer read ${n} / 10000 transactional records`);
  if (n !== 10_000) throw new Error("transactional read-back incomplete");

  // One broker down hard: acks=all must still succeed with 2 in-sync replicas (min.insync.replicas=2).
  await killBroker(2, "SIGKILL");
  log(`killed broker 2 (SIGKILL); status: ${JSON.stringify(await clusterStatus())}`);
  const degraded = await perf(topic, 20_000, 1024, [], ["delivery.timeout.ms=60000"]);
  log(`acks=all with broker 2 down: ${lastLine(check(degraded, "produce with broker 2 down"))}`);
  const t1 = Date.now();
  const back = await startBroker(2, { log });
  log(`broker 2 back (pid ${back.pid}) in ${Date.now() - t1} ms`);
  const healed = await waitFullIsr(topic, 60_000);
  log(`ISR after restart:\n  ${healed.map((l) => l.trim()).join("\n  ")}`);
  log(`all smoke checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(`[smoke] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
