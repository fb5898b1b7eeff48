// PostgreSQL through node-postgres (`pg`): the most used client of the field, `$1` parameters as
// the server speaks them, a pool from which each transaction takes one connection, and it runs
// unchanged on Deno through its npm support. Loaded only when DATABASE_URL names PostgreSQL.
import { Buffer } from "node:buffer";
import pg from "pg";
import type { Driver, DriverConnection, StatementResult } from "./driver.ts";
import { type Failure, redactUrl, statementOf, storeError } from "./errors.ts";

const POOL_SIZE = 10;
const CONNECT_TIMEOUT_MS = 10_000;

// SQLSTATE classes and codes where the same work may succeed later: connection exceptions (08),
// the server shutting down (57P), too many connections (53300), serialization failures and
// deadlocks (40001, 40P01), a lock not available (55P03).
const RETRIABLE_SQLSTATE = /^(08|57P|53300|40001|40P01|55P03)/;
const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
]);

function failureOf(err: unknown): Failure {
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (RETRIABLE_SQLSTATE.test(code) || NETWORK_ERRORS.has(code))) return "unavailable";
  const message = err instanceof Error ? err.message : String(err);
  return /connection terminated|timeout exceeded when trying to connect|Connection terminated/i.test(message)
    ? "unavailable"
    : "failed";
}

/** node-postgres sends a Buffer as bytea; a plain Uint8Array is wrapped (no copy). */
function pgValue(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return value === undefined ? null : value;
}

class PostgresConnection implements DriverConnection {
  constructor(
    private readonly database: string,
    private readonly client: pg.PoolClient,
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<StatementResult<Row>> {
    try {
      const result = await this.client.query(sql, params.map(pgValue));
      return { rows: result.rows as Row[], count: result.rowCount ?? 0 };
    } catch (err) {
      throw storeError(this.database, `statement (${statementOf(sql)})`, err, failureOf(err));
    }
  }

  async script(sql: string): Promise<void> {
    try {
      // Without parameters node-postgres uses the simple protocol, which takes several statements.
      await this.client.query(sql);
    } catch (err) {
      throw storeError(this.database, `script (${statementOf(sql)})`, err, failureOf(err));
    }
  }

  /** BEGIN, COMMIT, ROLLBACK. */
  async control(statement: string): Promise<void> {
    try {
      await this.client.query(statement);
    } catch (err) {
      throw storeError(this.database, statement.toLowerCase(), err, failureOf(err));
    }
  }
}

class PostgresDriver implements Driver {
  readonly dialect = "postgres";

  constructor(
    readonly name: string,
    private readonly pool: pg.Pool,
  ) {}

  async transaction<T>(work: (connection: DriverConnection) => Promise<T>): Promise<T> {
    const client = await this.connect();
    const connection = new PostgresConnection(this.name, client);
    let broken: Error | undefined;
    try {
      await connection.control("BEGIN");
      const result = await work(connection);
      await connection.control("COMMIT");
      return result;
    } catch (err) {
      try {
        await connection.control("ROLLBACK");
      } catch (rollback) {
        // The connection is gone (the server aborts the transaction itself): the pool must drop it.
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async read<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query(sql, params.map(pgValue))).rows as Row[];
    } catch (err) {
      throw storeError(this.name, `statement (${statementOf(sql)})`, err, failureOf(err));
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw storeError(this.name, "connect", err, failureOf(err));
    }
  }
}

/** A pool on the server `url` names; it connects on first use. */
export function openPostgres(url: string): Driver {
  const name = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection the server dropped: node-postgres removes it from the pool; without a
  // listener the event would crash the process. The next statement reports any lasting outage.
  pool.on("error", () => {});
  return new PostgresDriver(name, pool);
}
