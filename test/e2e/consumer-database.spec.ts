// The consumer worker and its database, as a user starts it: it migrates PostgreSQL or SQLite
// before joining, on Node and on Deno, answers GET /orders/:orderId from it, and refuses to start
// on a database it cannot reach, naming it without the password.
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { anOrder } from "../helpers/events.ts";
import { useNamespace } from "../helpers/kafka.ts";
import { type PostgresServer, usePostgres } from "../helpers/postgres.ts";
import { type Runtime, runRefusedWorker, startWorker } from "../helpers/workers.ts";

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe("the consumer's database", () => {
  const ns = useNamespace();
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await usePostgres();
  });

  it.each<Runtime>(["node", "deno"])(
    "on %s: migrates PostgreSQL before it is ready, answers 404 for an order it never stored",
    async (runtime) => {
      const database = await postgres.createDatabase();
      const consumer = await startWorker(
        "consumer",
        { KAFKA_NAMESPACE: ns.prefix, DATABASE_URL: database },
        { runtime },
      );
      expect(await tables(database)).toEqual([
        "kafka_pair_migrations",
        "kafka_pair_outbox",
        "kafka_pair_positions",
        "orders",
      ]);
      const ready = consumer.logs.find((line) => line.msg === "database ready");
      expect(ready?.database).toBe(`postgres://kafka_pair@${new URL(database).host}${new URL(database).pathname}`);
      const id = anOrder().orderId;
      const res = await fetch(`${consumer.url}/orders/${id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: "NOT_FOUND", message: `no order ${id} has been stored`, retriable: false },
      });
      expect(await consumer.stop()).toBe(0);
    },
  );

  it("on deno: opens its SQLite file with write permission for its folder only", async () => {
    const consumer = await startWorker("consumer", { KAFKA_NAMESPACE: ns.prefix }, { runtime: "deno" });
    const ready = consumer.logs.find((line) => line.msg === "database ready");
    expect(String(ready?.database)).toMatch(/^sqlite:.*kafka-pair-consumer-db-.*\/consumer\.db$/);
    expect((await fetch(`${consumer.url}/orders/not-a-uuid`)).status).toBe(400);
    expect(await consumer.stop()).toBe(0);
  });

  it.each<Runtime>(["node", "deno"])(
    "on %s: does not start on a database it cannot reach, naming it without the password",
    async (runtime) => {
      const port = await freePort();
      const { code, output } = await runRefusedWorker(
        "consumer",
        { KAFKA_NAMESPACE: ns.prefix, DATABASE_URL: `postgres://shop:s3cret-pass@127.0.0.1:${port}/shop` },
        { runtime },
      );
      expect(code).not.toBe(0);
      expect(output).toContain(`postgres://shop@127.0.0.1:${port}/shop: connect failed`);
      expect(output).not.toContain("s3cret-pass");
    },
  );
});
