// The example's orders table: written inside the handler's store transaction (so the row commits
// with the consumed position, and only once), read outside any transaction for GET /orders/:orderId.
import type { OrderLine, OrderPlaced } from "@kafka-pair/shared/contracts";
import type { OffsetStore, StoreTransaction } from "../store/types.ts";

/** Where the order was read from: the consumed record's topic, partition and offset. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** An order as stored and as `GET /orders/:orderId` answers it. */
export interface StoredOrder {
  orderId: string;
  customerId: string;
  currency: string;
  lines: OrderLine[];
  totalCents: number;
  placedAt: string;
  note?: string;
  kafka: KafkaPosition;
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  currency: string;
  lines: string | OrderLine[];
  total_cents: string | number;
  placed_at: string;
  note: string | null;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/** The order's total in its currency's minor unit (at most 10^14: exact in a double, see the contract). */
export function totalCents(order: OrderPlaced): number {
  return order.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
}

/**
 * Inserts the order's row in the open store transaction. A plain INSERT: the position claimed in the
 * same transaction already guarantees one handling per event, so a second row for one orderId (the
 * same order sent twice as two events) fails loudly instead of being hidden.
 */
export async function insertOrder(tx: StoreTransaction, order: OrderPlaced, position: KafkaPosition): Promise<void> {
  await tx.query(
    `INSERT INTO orders (order_id, customer_id, currency, lines, total_cents, placed_at, note,
       kafka_topic, kafka_partition, kafka_offset)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      order.orderId,
      order.customerId,
      order.currency,
      JSON.stringify(order.lines),
      totalCents(order),
      order.placedAt,
      order.note ?? null,
      position.topic,
      position.partition,
      position.offset,
    ],
  );
}

/** The stored order, or undefined; committed rows only. */
export async function findOrder(store: OffsetStore, orderId: string): Promise<StoredOrder | undefined> {
  const [row] = await store.read<OrderRow>(
    `SELECT order_id, customer_id, currency, lines, CAST(total_cents AS TEXT) AS total_cents, placed_at, note,
            kafka_topic, kafka_partition, CAST(kafka_offset AS TEXT) AS kafka_offset
       FROM orders WHERE order_id = $1`,
    [orderId],
  );
  return row && storedOrder(row);
}

function storedOrder(row: OrderRow): StoredOrder {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    currency: row.currency,
    // jsonb arrives parsed from PostgreSQL, as text from SQLite.
    lines: typeof row.lines === "string" ? JSON.parse(row.lines) : row.lines,
    totalCents: Number(row.total_cents),
    placedAt: row.placed_at,
    ...(row.note === null ? {} : { note: row.note }),
    kafka: { topic: row.kafka_topic, partition: Number(row.kafka_partition), offset: row.kafka_offset },
  };
}
