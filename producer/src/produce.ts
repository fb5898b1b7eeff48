import type { TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { DeliveryReport, ProducerTransport } from "@kafka-pair/shared/transport";
import type { BuiltRecord } from "./ingest/record.ts";
import type { ProducerMetrics } from "./metrics.ts";

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
