import type { TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { DeliveryReport, ProducerTransport } from "@kafka-pair/shared/transport";
import { httpStatusOf } from "./http-status.ts";
import type { BuiltRecord } from "./ingest/record.ts";
import type { ProducerMetrics } from "./metrics.ts";
import type { Plan } from "./plan.ts";

export interface ProduceDeps {
  producer: ProducerTransport;
  metrics: ProducerMetrics;
}

/** A stored event as the client sees it: the contract's topic name and Kafka's coordinates. */
export interface Stored {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
}

function stored(contract: TopicContract, id: string, report: DeliveryReport): Stored {
  return { id, topic: contract.name, partition: report.partition, offset: report.offset, timestamp: report.timestamp };
}

function failed(deps: ProduceDeps, contract: TopicContract, err: unknown): KafkaPairError {
  const error =
    err instanceof KafkaPairError ? err : new KafkaPairError("DELIVERY_FAILED", String(err), { cause: err });
  deps.metrics.recordsFailed.inc({ topic: contract.name, code: error.code });
  return error;
}

/** Produces one record and resolves only with Kafka's delivery report. */
export async function produceOne(deps: ProduceDeps, contract: TopicContract, built: BuiltRecord): Promise<Stored> {
  const stopTimer = deps.metrics.deliveryLatency.startTimer({ topic: contract.name });
  try {
    const report = await deps.producer.send(built.record);
    stopTimer();
    deps.metrics.recordsProduced.inc({ topic: contract.name });
    return stored(contract, built.id, report);
  } catch (err) {
    throw failed(deps, contract, err);
  }
}

/** Produces all records in one Kafka transaction: all are stored, or the transaction is aborted. */
export async function produceAtomic(
  deps: ProduceDeps,
  contract: TopicContract,
  records: BuiltRecord[],
): Promise<Stored[]> {
  const transaction = deps.producer.transaction?.bind(deps.producer);
  if (!transaction) {
    throw new KafkaPairError(
      "FEATURE_UNAVAILABLE",
      "this producer's Kafka client has no transactions: atomic batches are off",
    );
  }
  const stopTimer = deps.metrics.deliveryLatency.startTimer({ topic: contract.name });
  try {
    const reports = await transaction((tx) => Promise.all(records.map((built) => tx.send(built.record))));
    stopTimer();
    deps.metrics.recordsProduced.inc({ topic: contract.name }, records.length);
    return reports.map((report, i) => stored(contract, records[i]?.id ?? "", report));
  } catch (err) {
    const error = failed(deps, contract, err);
    if (records.length > 1)
      deps.metrics.recordsFailed.inc({ topic: contract.name, code: error.code }, records.length - 1);
    throw error;
  }
}

// ---- Strategies: a plan carried out, with a typed outcome; `answerOf` turns it into HTTP. ----

/** One record's result inside a batch answer. */
export type RecordResult =
  | ({ index: number; status: 201 } & Stored)
  | { index: number; status: number; id?: string; error: ReturnType<KafkaPairError["toJSON"]>["error"] };

export type Outcome =
  | { strategy: "one"; stored: Stored }
  /** Kafka's side failed: the answer names the event id, so a retry can reuse it. */
  | { strategy: "one"; id: string; error: KafkaPairError }
  | { strategy: "batch" | "atomic"; results: RecordResult[]; error?: KafkaPairError };

function errorResult(index: number, error: KafkaPairError, id?: string): RecordResult {
  return { index, status: httpStatusOf(error.code), ...(id ? { id } : {}), error: error.toJSON().error };
}

function countRejected(deps: ProduceDeps, contract: TopicContract, entries: Array<BuiltRecord | KafkaPairError>) {
  for (const entry of entries) {
    if (entry instanceof KafkaPairError) deps.metrics.recordsFailed.inc({ topic: contract.name, code: entry.code });
  }
}

/** Carries out a plan: the only place a produce request reaches Kafka. */
export async function execute(deps: ProduceDeps, contract: TopicContract, plan: Plan): Promise<Outcome> {
  if (plan.strategy === "one") {
    try {
      return { strategy: "one", stored: await produceOne(deps, contract, plan.record) };
    } catch (err) {
      if (err instanceof KafkaPairError) return { strategy: "one", id: plan.record.id, error: err };
      throw err;
    }
  }
  countRejected(deps, contract, plan.entries);
  if (plan.strategy === "batch") {
    const results = await Promise.all(
      plan.entries.map(async (entry, index): Promise<RecordResult> => {
        if (entry instanceof KafkaPairError) return errorResult(index, entry);
        try {
          return { index, status: 201, ...(await produceOne(deps, contract, entry)) };
        } catch (err) {
          return errorResult(index, err as KafkaPairError, entry.id);
        }
      }),
    );
    return { strategy: "batch", results };
  }
  if (plan.entries.some((entry) => entry instanceof KafkaPairError)) {
    const notStored = new KafkaPairError("NOT_STORED", "not stored: the batch is atomic and another record failed");
    const results = plan.entries.map((entry, i) =>
      entry instanceof KafkaPairError ? errorResult(i, entry) : errorResult(i, notStored, entry.id),
    );
    return { strategy: "atomic", results };
  }
  const records = plan.entries as BuiltRecord[];
  try {
    const stored = await produceAtomic(deps, contract, records);
    return { strategy: "atomic", results: stored.map((s, index) => ({ index, status: 201 as const, ...s })) };
  } catch (err) {
    const error = err instanceof KafkaPairError ? err : new KafkaPairError("TRANSACTION_ABORTED", String(err));
    return { strategy: "atomic", results: records.map((r, i) => errorResult(i, error, r.id)), error };
  }
}

/**
 * A batch is 201 when all were stored, 207 when some, and the failures' own status when none
 * (records that were only NOT_STORED because of another one do not decide it).
 */
function batchStatus(results: RecordResult[]): number {
  const failures = results.filter((r) => r.status >= 300);
  if (failures.length === 0) return 201;
  if (failures.length < results.length) return 207;
  const deciding = failures.some((r) => r.status !== 424) ? failures.filter((r) => r.status !== 424) : failures;
  const statuses = new Set(deciding.map((r) => r.status));
  if (statuses.size === 1) return deciding[0]?.status ?? 500;
  return deciding.some((r) => r.status < 500) ? 422 : 503;
}

/** The HTTP answer for an outcome: status and body. */
export function answerOf(contract: TopicContract, outcome: Outcome): { status: number; body: unknown } {
  if (outcome.strategy === "one") {
    if ("stored" in outcome) return { status: 201, body: outcome.stored };
    return { status: httpStatusOf(outcome.error.code), body: { id: outcome.id, ...outcome.error.toJSON() } };
  }
  const { results, error } = outcome;
  const stored = results.filter((r) => r.status === 201).length;
  return {
    status: error ? httpStatusOf(error.code) : batchStatus(results),
    body: {
      topic: contract.name,
      atomic: outcome.strategy === "atomic",
      stored,
      failed: results.length - stored,
      ...(error ? { error: error.toJSON().error } : {}),
      results,
    },
  };
}
