// The behaviour every OffsetStore owes, as one vitest suite: the unit project runs it on SQLite
// (in a temp folder), the e2e project on a real PostgreSQL server. Test support, not used by the worker.
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ProduceRecord } from "@kafka-pair/shared/transport";
import { afterEach, describe, expect, it } from "vitest";
import type { OffsetStore, PositionClaim, StoreMigration } from "./types.ts";

/** A table of the application's own, created by a migration the store runs after its own. */
export const notesMigration: StoreMigration = {
  id: "conformance/1-notes",
  postgres: "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL)",
  sqlite: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
};

const tp = { topic: "orders", partition: 1 };
const claim = (expected: string | undefined, next: string, groupId = "g"): PositionClaim => ({
  groupId,
  ...tp,
  expected,
  next,
});
const record = (n: number, extra: Partial<ProduceRecord> = {}): ProduceRecord => ({
  topic: "orders.confirmed",
  key: `k${n}`,
  value: new TextEncoder().encode(`{"n":${n}}`),
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<KafkaPairError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof KafkaPairError)) throw new Error(`expected a KafkaPairError, got ${String(err)}`);
  return err;
}

/**
 * Registers the suite. `open` gives a fresh, empty store each time (with `notesMigration` among
 * its migrations, not yet migrated); the suite closes what it opened.
 */
export function describeOffsetStore(open: () => Promise<OffsetStore>): void {
  const opened: OffsetStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const fresh = async () => {
    const store = await open();
    opened.push(store);
    await store.migrate();
    return store;
  };
  const notes = (store: OffsetStore) =>
    store.read<{ id: number; body: string }>("SELECT id, body FROM notes ORDER BY id");

  describe("migrations", () => {
    it("create the store's tables and the application's, once however often they run", async () => {
      const store = await fresh();
      await store.migrate();
      const ids = await store.read<{ id: string }>("SELECT id FROM kafka_pair_migrations ORDER BY id");
      expect(ids.map((row) => row.id)).toEqual(["conformance/1-notes", "kafka-pair/1-positions-outbox"]);
      expect(await notes(store)).toEqual([]);
    });
  });

  describe("positions and claims", () => {
    it("answers no position for a partition it never stored, the claimed one after an apply", async () => {
      const store = await fresh();
      expect(await store.positions("g", [tp])).toEqual([]);
      await store.apply(claim(undefined, "5"), async () => {});
      expect(await store.positions("g", [tp, { topic: "orders", partition: 2 }])).toEqual([{ ...tp, offset: "5" }]);
      expect(await store.positions("other", [tp])).toEqual([]);
      await store.apply(claim("5", "9"), async () => {});
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "9" }]);
    });

    it("commits the handler's statements with the position, and answers the work's result", async () => {
      const store = await fresh();
      const result = await store.apply(claim(undefined, "1"), async (tx) => {
        await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "one"]);
        return (await tx.query<{ body: string }>("SELECT body FROM notes WHERE id = $1", [1]))[0]?.body;
      });
      expect(result).toBe("one");
      expect(await notes(store)).toEqual([{ id: 1, body: "one" }]);
    });

    it("fences a claim whose expected position is stale: STORE_FENCED, the work never runs, nothing written", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "3"), async () => {});
      let ran = false;
      const err = await rejection(
        store.apply(claim("2", "4"), async (tx, outbox) => {
          ran = true;
          await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "late"]);
          outbox.add(record(1));
        }),
      );
      expect(err.code).toBe("STORE_FENCED");
      expect(err.message).toContain(store.name);
      expect(err.message).toContain("expected position 2 but the store holds 3");
      expect(ran).toBe(false);
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "3" }]);
      expect(await notes(store)).toEqual([]);
      expect(await store.pendingOutbox("g", tp)).toEqual([]);
    });

    it("fences a first claim when another member stored a position already", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "3"), async () => {});
      const err = await rejection(store.apply(claim(undefined, "3"), async () => {}));
      expect(err.code).toBe("STORE_FENCED");
      expect(err.message).toContain("expected no stored position but the store holds 3");
    });

    it("lets one of two claims made at once with the same expected position win; the other is fenced", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "10"), async () => {});
      const results = await Promise.allSettled(
        [1, 2].map((id) =>
          store.apply(claim("10", "20"), async (tx) => {
            await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [id, `member ${id}`]);
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect((lost.reason as KafkaPairError).code).toBe("STORE_FENCED");
      expect(await notes(store)).toHaveLength(1);
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "20" }]);
    });

    it("keeps groups apart: the same partition has a position per group", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "4", "a"), async () => {});
      await store.apply(claim(undefined, "7", "b"), async () => {});
      expect(await store.positions("a", [tp])).toEqual([{ ...tp, offset: "4" }]);
      expect(await store.positions("b", [tp])).toEqual([{ ...tp, offset: "7" }]);
    });

    it("holds offsets past 2^53 exactly", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "9223372036854775806"), async (_tx, outbox) => outbox.add(record(1)));
      await store.apply(claim("9223372036854775806", "9223372036854775807"), async () => {});
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "9223372036854775807" }]);
      expect((await store.pendingOutbox("g", tp))[0]?.sourceOffset).toBe("9223372036854775805");
    });

    it("refuses a claim whose offsets are not Kafka offsets, before touching the database", async () => {
      const store = await fresh();
      for (const bad of [claim(undefined, "-1"), claim(undefined, "1.5"), claim("x", "2"), claim(undefined, "0")]) {
        expect((await rejection(store.apply(bad, async () => {}))).code).toBe("STORE_FAILED");
      }
      expect(await store.positions("g", [tp])).toEqual([]);
    });
  });

  describe("failures inside a transaction", () => {
    it("rolls everything back when the work throws, and passes its error on unchanged", async () => {
      const store = await fresh();
      const boom = new Error("handler failed");
      const err = await store
        .apply(claim(undefined, "2"), async (tx, outbox) => {
          await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "rolled back"]);
          outbox.add(record(1));
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(boom);
      expect(await store.positions("g", [tp])).toEqual([]);
      expect(await notes(store)).toEqual([]);
      expect(await store.pendingOutbox("g", tp)).toEqual([]);
      // The store is usable afterwards: the same claim now succeeds.
      await store.apply(claim(undefined, "2"), async () => {});
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "2" }]);
    });

    it("names the database and the statement when a statement fails, and writes nothing", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "1"), (tx) =>
        tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "a"]),
      );
      const err = await rejection(
        store.apply(claim("1", "2"), (tx) => tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "dup"])),
      );
      expect(err.code).toBe("STORE_FAILED");
      expect(err.retriable).toBe(false);
      expect(err.message).toContain(store.name);
      expect(err.message).toContain("INSERT INTO notes (id, body)");
      expect(await store.positions("g", [tp])).toEqual([{ ...tp, offset: "1" }]);
    });

    it("refuses a transaction used after apply settled", async () => {
      const store = await fresh();
      let leaked: Parameters<Parameters<OffsetStore["apply"]>[1]> | undefined;
      await store.apply(claim(undefined, "1"), async (tx, outbox) => {
        leaked = [tx, outbox];
      });
      const [tx, outbox] = leaked ?? [];
      expect((await rejection(tx?.query("SELECT 1") ?? Promise.resolve())).message).toContain(
        "after its transaction ended",
      );
      expect(() => outbox?.add(record(1))).toThrow(/after its transaction ended/);
    });
  });

  describe("outbox", () => {
    it("keeps the records a claim added, with key, value, headers and timestamp, in order", async () => {
      const store = await fresh();
      const first = record(1, { headers: { ce_type: "dev.kafka-pair.order.confirmed", traceparent: "00-ab" } });
      const second = record(2, { key: null, timestamp: 1_767_225_600_000 });
      await store.apply(claim(undefined, "5"), async (_tx, outbox) => {
        outbox.add(first);
        outbox.add(second);
      });
      await store.apply(claim("5", "8"), async (_tx, outbox) => outbox.add(record(3)));
      expect(await store.pendingOutbox("g", tp)).toEqual([
        { sourceOffset: "4", record: first },
        { sourceOffset: "4", record: second },
        { sourceOffset: "7", record: record(3) },
      ]);
      expect(await store.pendingOutbox("g", { topic: "orders", partition: 0 })).toEqual([]);
      expect(await store.pendingOutbox("other", tp)).toEqual([]);
    });

    it("keeps a large batch (more rows than one INSERT carries)", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "1201"), async (_tx, outbox) => {
        for (let n = 0; n < 1200; n++) outbox.add(record(n));
      });
      const pending = await store.pendingOutbox("g", tp);
      expect(pending.map((p) => p.record.key)).toEqual(Array.from({ length: 1200 }, (_, n) => `k${n}`));
    });

    it("prunes the rows below an offset, only for that group and partition", async () => {
      const store = await fresh();
      await store.apply(claim(undefined, "3"), async (_tx, outbox) => outbox.add(record(1)));
      await store.apply(claim("3", "6"), async (_tx, outbox) => outbox.add(record(2)));
      await store.apply(claim(undefined, "3", "other"), async (_tx, outbox) => outbox.add(record(9)));
      await store.pruneOutbox("g", tp, "3");
      expect((await store.pendingOutbox("g", tp)).map((p) => p.sourceOffset)).toEqual(["5"]);
      await store.pruneOutbox("g", tp, "6");
      expect(await store.pendingOutbox("g", tp)).toEqual([]);
      expect(await store.pendingOutbox("other", tp)).toHaveLength(1);
    });
  });

  describe("reads outside a transaction", () => {
    it("see committed rows only", async () => {
      const store = await fresh();
      let duringTransaction: unknown[] | undefined;
      await store.apply(claim(undefined, "1"), async (tx) => {
        await tx.query("INSERT INTO notes (id, body) VALUES ($1, $2)", [1, "open"]);
        duringTransaction = await notes(store);
      });
      expect(duringTransaction).toEqual([]);
      expect(await notes(store)).toEqual([{ id: 1, body: "open" }]);
    });

    it("take $n parameters, a parameter used twice included; a quoted $1 is text", async () => {
      const store = await fresh();
      const rows = await store.read<{ a: string; b: string; literal: string }>(
        "SELECT CAST($1 AS TEXT) AS a, CAST($1 AS TEXT) || CAST($2 AS TEXT) AS b, '$1' AS literal",
        ["x", "y"],
      );
      expect(rows).toEqual([{ a: "x", b: "xy", literal: "$1" }]);
    });

    it("name the database and the statement when one fails", async () => {
      const store = await fresh();
      const err = await rejection(store.read("SELECT * FROM no_such_table"));
      expect(err.code).toBe("STORE_FAILED");
      expect(err.message).toContain(`${store.name}: statement (SELECT * FROM no_such_table) failed`);
    });
  });
}
