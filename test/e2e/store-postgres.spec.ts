// The offset store on a real PostgreSQL server (a private one the helper starts, or
// TEST_DATABASE_URL): the behaviour suite both stores owe, then what only a server shows —
// two connections racing for one claim, migrations run by two workers at once, an outage.

import { type OffsetStore, openStore } from "@kafka-pair/consumer/store";
import { describeOffsetStore, notesMigration } from "@kafka-pair/consumer/store/conformance";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/kafka.ts";
import { type PostgresServer, usePostgres } from "../helpers/postgres.ts";
import { atFileEnd } from "../helpers/teardown.ts";

let server: PostgresServer;
beforeAll(async () => {
  server = await usePostgres();
});

async function storeOn(url: string): Promise<OffsetStore> {
  const store = await openStore(url, { migrations: [notesMigration] });
  atFileEnd(() => store.close());
  return store;
}

describe("PostgreSQL offset store", () => {
  describeOffsetStore(async () => openStore(await server.createDatabase(), { migrations: [notesMigration] }));

  it("fences the second of two connections claiming the same position: it waits for the first, then writes nothing", async () => {
    const url = await server.createDatabase();
    const [first, second] = [await storeOn(url), await storeOn(url)];
    await first.migrate();
    const claim = { groupId: "g", topic: "orders", partition: 0, expected: undefined, next: "5" } as const;
    await first.apply(claim, async () => {});
    const next = { ...claim, expected: "5", next: "9" };

    // The first holds its claim open until the second is seen waiting on the position's row lock.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const winner = first.apply(next, async (tx) => {
      await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "first"]);
      entered();
      await held;
    });
    await inside;
    let secondRan = false;
    const loser = second
      .apply(next, async (tx) => {
        secondRan = true;
        await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [2, "second"]);
      })
      .catch((e: unknown) => e);
    await eventually(
      async () => {
        const waiting = await first.read<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return Number(waiting[0]?.n) === 1 ? true : undefined;
      },
      15_000,
      "the second claim to wait on the first one's lock",
    );
    release();
    await winner;
    const err = await loser;
    expect(err).toBeInstanceOf(KafkaPairError);
    expect((err as KafkaPairError).code).toBe("STORE_FENCED");
    expect(secondRan).toBe(false);
    expect(await second.read("SELECT id, body FROM notes")).toEqual([{ id: 1, body: "first" }]);
    expect(await second.positions("g", [{ topic: "orders", partition: 0 }])).toEqual([
      { topic: "orders", partition: 0, offset: "9" },
    ]);
  });

  it("migrates once when two workers start at the same time", async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([storeOn(url), storeOn(url), storeOn(url)]);
    await Promise.all(stores.map((store) => store.migrate()));
    const ids = await stores[0]?.read<{ id: string }>("SELECT id FROM kafka_pair_migrations ORDER BY id");
    expect(ids?.map((row) => row.id)).toEqual(["conformance/1-notes", "kafka-pair/1-positions-outbox"]);
  });

  it("names the server, never its password, when it cannot be reached; works again once it is back", async () => {
    const url = await server.createDatabase();
    const store = await storeOn(url);
    await store.migrate();
    const password = new URL(url).password;
    expect(store.name).not.toContain(password);
    expect(store.name).toMatch(/^postgres:\/\/kafka_pair@127\.0\.0\.1:\d+\/kp_/);
    if (process.env.TEST_DATABASE_URL) return; // a server the tests did not start is not theirs to stop
    await server.stop();
    try {
      const err = await store.positions("g", [{ topic: "t", partition: 0 }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "STORE_UNAVAILABLE", retriable: true });
      expect((err as Error).message).toContain(store.name);
      expect((err as Error).message).not.toContain(password);
      const claim = { groupId: "g", topic: "t", partition: 0, expected: undefined, next: "1" };
      const failed = await store.apply(claim, async () => {}).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect((failed as Error).message).toContain(`${store.name}: connect failed`);
    } finally {
      await server.start();
    }
    await store.apply({ groupId: "g", topic: "t", partition: 0, expected: undefined, next: "1" }, async () => {});
    expect(await store.positions("g", [{ topic: "t", partition: 0 }])).toHaveLength(1);
  });

  it("refuses a wrong password, naming the server and what failed", async () => {
    const url = new URL(await server.createDatabase());
    url.password = "not-the-password";
    const store = await storeOn(url.toString());
    const err = await store.migrate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaPairError);
    expect((err as Error).message).toMatch(
      /^postgres:\/\/kafka_pair@127\.0\.0\.1:\d+\/kp_\w+: connect failed: .*password/,
    );
    expect((err as Error).message).not.toContain("not-the-password");
  });
});
