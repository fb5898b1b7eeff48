import type { Namespace } from "@kafka-pair/shared/namespace";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import type { Worker } from "../helpers/workers.ts";

export interface Produced {
  topic: string;
  partition: number;
  offset: string;
}

/** The consumer logged "processed" for exactly this record. */
export const processed = (consumer: Worker, { topic, partition, offset }: Produced) =>
  consumer.logs.some(
    (l) => l.msg === "processed" && l.topic === topic && l.partition === partition && l.offset === offset,
  );

/** The group's committed offset is the next one to read: past the record once it is done. */
export async function committedPast(admin: AdminTransport, ns: Namespace, groupId: string, record: Produced) {
  const committed = await admin.committedOffsets(ns.group(groupId), ns.topic(record.topic));
  const next = committed.get(record.partition);
  return next !== undefined && BigInt(next) > BigInt(record.offset) ? BigInt(next) : undefined;
}
