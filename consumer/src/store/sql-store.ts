// The offset store's logic, once for both dialects: the compare-and-set on the position, the
// outbox rows, the migrations. The drivers (sqlite.ts, postgres.ts) only talk to their database.
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { CommitPosition, ProduceRecord, TopicPartition } from "@kafka-pair/shared/transport";
import type { Driver, DriverConnection } from "./driver.ts";
import { fenced } from "./errors.ts";
import { migrationsTable, storeMigrations } from "./migrations.ts";
import type { OffsetStore, Outbox, OutboxRecord, PositionClaim, StoreMigration, StoreTransaction } from "./types.ts";

// Kafka offsets are signed 64-bit; a position is never negative.
const OFFSET = /^(0|[1-9]\d{0,18})$/;
// Outbox rows per INSERT: 9 parameters each stays far below both databases' parameter limits.
const OUTBOX_ROWS_PER_INSERT = 500;

interface OutboxRow {
  source_offset: string;
  target_topic: string;
  record_key: string | null;
  record_value: Uint8Array;
  headers: string | null;
  record_timestamp: string | null;
}

export class SqlOffsetStore implements OffsetStore {
  readonly name: string;
  readonly dialect: Driver["dialect"];
  private readonly migrations: readonly StoreMigration[];

  constructor(
    private readonly driver: Driver,
    /** The application's own migrations (the example's `orders` table), run after the store's. */
    appMigrations: readonly StoreMigration[] = [],
  ) {
    this.name = driver.name;
    this.dialect = driver.dialect;
    this.migrations = [...storeMigrations, ...appMigrations];
    const ids = new Set<string>();
    for (const { id } of this.migrations) {
      if (ids.has(id)) throw new KafkaPairError("STORE_FAILED", `${this.name}: migration id ${id} appears twice`);
      ids.add(id);
    }
  }

  async migrate(): Promise<void> {
    await this.driver.transaction(async (db) => {
      // Two workers starting at once: the second waits here, then finds every migration applied.
      if (this.dialect === "postgres")
        await db.query("SELECT pg_advisory_xact_lock(hashtext('kafka_pair_migrations'))");
      await db.script(migrationsTable[this.dialect]);
      const applied = new Set(
        (await db.query<{ id: string }>("SELECT id FROM kafka_pair_migrations")).rows.map((row) => row.id),
      );
      for (const migration of this.migrations) {
        if (applied.has(migration.id)) continue;
        await db.script(migration[this.dialect]);
        await db.query("INSERT INTO kafka_pair_migrations (id) VALUES ($1)", [migration.id]);
      }
    });
  }

  async positions(groupId: string, partitions: readonly TopicPartition[]): Promise<CommitPosition[]> {
    if (partitions.length === 0) return [];
    const rows = await this.driver.read<{ topic: string; partition: number; next_offset: string }>(
      "SELECT topic, partition, CAST(next_offset AS TEXT) AS next_offset FROM kafka_pair_positions WHERE group_id = $1",
      [groupId],
    );
    const stored = new Map(rows.map((row) => [`${row.topic}\0${Number(row.partition)}`, row.next_offset]));
    return partitions.flatMap(({ topic, partition }) => {
      const offset = stored.get(`${topic}\0${partition}`);
      return offset === undefined ? [] : [{ topic, partition, offset }];
    });
  }

  async apply<T>(claim: PositionClaim, work: (tx: StoreTransaction, outbox: Outbox) => Promise<T>): Promise<T> {
    this.checkClaim(claim);
    return this.driver.transaction(async (db) => {
      // The claim first: a second member with the same `expected` waits on the position's row
      // lock (PostgreSQL) or the write lock (SQLite), then finds it moved and writes nothing.
      if (!(await this.claimPosition(db, claim))) throw fenced(this.name, claim, await this.storedPosition(db, claim));
      const records: ProduceRecord[] = [];
      let open = true;
      const refuseWhenClosed = (what: string) => {
        if (!open) {
          throw new KafkaPairError(
            "STORE_FAILED",
            `${this.name}: ${what} after its transaction ended (a handler kept the transaction past its own return)`,
          );
        }
      };
      const tx: StoreTransaction = {
        dialect: this.dialect,
        query: async <Row>(sql: string, params?: readonly unknown[]) => {
          refuseWhenClosed("a statement");
          return (await db.query<Row>(sql, params)).rows;
        },
      };
      const outbox: Outbox = {
        add: (record) => {
          refuseWhenClosed("an outbox record");
          records.push(record);
        },
      };
      let result: T;
      try {
        result = await work(tx, outbox);
      } finally {
        open = false;
      }
      await this.insertOutbox(db, claim, records);
      return result;
    });
  }

  async pendingOutbox(groupId: string, { topic, partition }: TopicPartition): Promise<OutboxRecord[]> {
    const rows = await this.driver.read<OutboxRow>(
      `SELECT CAST(source_offset AS TEXT) AS source_offset, target_topic, record_key, record_value, headers,
              CAST(record_timestamp AS TEXT) AS record_timestamp
         FROM kafka_pair_outbox
        WHERE group_id = $1 AND topic = $2 AND partition = $3
        ORDER BY source_offset, id`,
      [groupId, topic, partition],
    );
    return rows.map(outboxRecord);
  }

  async pruneOutbox(groupId: string, { topic, partition }: TopicPartition, before: string): Promise<void> {
    this.checkOffset("pruneOutbox before", before);
    await this.driver.transaction((db) =>
      db.query(
        "DELETE FROM kafka_pair_outbox WHERE group_id = $1 AND topic = $2 AND partition = $3 AND source_offset < $4",
        [groupId, topic, partition, before],
      ),
    );
  }

  read<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.driver.read<Row>(sql, params);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  /** Compare-and-set: insert where none is stored, else update only the row still at `expected`. */
  private async claimPosition(db: DriverConnection, claim: PositionClaim): Promise<boolean> {
    const key = [claim.groupId, claim.topic, claim.partition];
    const { count } =
      claim.expected === undefined
        ? await db.query(
            `INSERT INTO kafka_pair_positions (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
             ON CONFLICT (group_id, topic, partition) DO NOTHING`,
            [...key, claim.next],
          )
        : await db.query(
            `UPDATE kafka_pair_positions SET next_offset = $4, updated_at = CURRENT_TIMESTAMP
              WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $5`,
            [...key, claim.next, claim.expected],
          );
    return count === 1;
  }

  private async storedPosition(db: DriverConnection, claim: PositionClaim): Promise<string | undefined> {
    const { rows } = await db.query<{ next_offset: string }>(
      `SELECT CAST(next_offset AS TEXT) AS next_offset FROM kafka_pair_positions
        WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [claim.groupId, claim.topic, claim.partition],
    );
    return rows[0]?.next_offset;
  }

  private async insertOutbox(db: DriverConnection, claim: PositionClaim, records: readonly ProduceRecord[]) {
    // Every record of one claim carries its last offset: relayed and pruned as one batch.
    const sourceOffset = (BigInt(claim.next) - 1n).toString();
    for (let start = 0; start < records.length; start += OUTBOX_ROWS_PER_INSERT) {
      const chunk = records.slice(start, start + OUTBOX_ROWS_PER_INSERT);
      const params: unknown[] = [];
      const tuples = chunk.map((record) => {
        const row = [
          claim.groupId,
          claim.topic,
          claim.partition,
          sourceOffset,
          record.topic,
          record.key,
          record.value,
          record.headers === undefined ? null : JSON.stringify(record.headers),
          record.timestamp === undefined ? null : String(record.timestamp),
        ];
        const placeholders = row.map((_, i) => `$${params.length + i + 1}`);
        params.push(...row);
        return `(${placeholders.join(", ")})`;
      });
      await db.query(
        `INSERT INTO kafka_pair_outbox (group_id, topic, partition, source_offset, target_topic, record_key,
           record_value, headers, record_timestamp) VALUES ${tuples.join(", ")}`,
        params,
      );
    }
  }

  private checkClaim(claim: PositionClaim): void {
    this.checkOffset("claim next", claim.next);
    if (claim.expected !== undefined) this.checkOffset("claim expected", claim.expected);
    if (claim.next === "0")
      throw new KafkaPairError("STORE_FAILED", `${this.name}: claim next must be past an event (>= 1)`);
  }

  private checkOffset(what: string, value: string): void {
    if (!OFFSET.test(value)) {
      throw new KafkaPairError("STORE_FAILED", `${this.name}: ${what} ${JSON.stringify(value)} is not a Kafka offset`);
    }
  }
}

function outboxRecord(row: OutboxRow): OutboxRecord {
  const record: ProduceRecord = {
    topic: row.target_topic,
    key: row.record_key,
    // A copy as a plain Uint8Array: PostgreSQL's driver answers a Buffer, SQLite's a Uint8Array.
    value: new Uint8Array(row.record_value),
  };
  if (row.headers !== null) record.headers = JSON.parse(row.headers);
  if (row.record_timestamp !== null) record.timestamp = Number(row.record_timestamp);
  return { sourceOffset: row.source_offset, record };
}
