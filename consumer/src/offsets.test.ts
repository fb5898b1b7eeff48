import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OffsetTracker, type Ticket } from "./offsets.ts";

const tp = { topic: "orders", partition: 0 };
const nextOf = (tracker: OffsetTracker) => tracker.committable().find((p) => p.partition === 0)?.offset;

describe("OffsetTracker", () => {
  it("commits offset + 1 once a message is done, never before", () => {
    const tracker = new OffsetTracker();
    const ticket = tracker.received(tp, "41");
    expect(tracker.committable()).toEqual([]);
    tracker.done(ticket);
    expect(tracker.committable()).toEqual([{ ...tp, offset: "42" }]);
  });

  it("holds a later offset back until every earlier one of its partition is done", () => {
    const tracker = new OffsetTracker();
    const a = tracker.received(tp, "10");
    const b = tracker.received(tp, "11");
    const other = tracker.received({ topic: "orders", partition: 1 }, "5");
    tracker.done(b);
    tracker.done(other);
    expect(nextOf(tracker)).toBeUndefined();
    expect(tracker.committable()).toEqual([{ topic: "orders", partition: 1, offset: "6" }]);
    tracker.done(a);
    expect(nextOf(tracker)).toBe("12");
  });

  it("steps over offsets never delivered (transaction markers)", () => {
    const tracker = new OffsetTracker();
    tracker.done(tracker.received(tp, "3"));
    tracker.received(tp, "5");
    // 4 is a commit marker: everything delivered before 5 is done, so 4 may be committed.
    expect(nextOf(tracker)).toBe("4");
  });

  it("commits past a transaction's commit marker once the client's position has stepped over it", () => {
    // Offsets 0-1 are a transaction's records, 2 its commit marker: the client never delivers 2.
    let position: string | undefined;
    const tracker = new OffsetTracker(() => position);
    const a = tracker.received(tp, "0");
    const b = tracker.received(tp, "1");
    tracker.done(a);
    position = "3";
    // 1 is still in hand: the position says nothing yet.
    expect(nextOf(tracker)).toBe("1");
    tracker.done(b);
    // Everything delivered is done and the position is past the marker: commit 3, as Kafka's Java consumer does.
    expect(nextOf(tracker)).toBe("3");
    tracker.markCommitted([{ ...tp, offset: "3" }]);
    expect(tracker.committable()).toEqual([]);
  });

  it("never commits a position while messages are in hand or unknown", () => {
    const tracker = new OffsetTracker(() => "9");
    tracker.received(tp, "4");
    expect(nextOf(tracker)).toBeUndefined();
    const idle = new OffsetTracker(() => undefined);
    idle.done(idle.received(tp, "4"));
    expect(nextOf(idle)).toBe("5");
  });

  it("offers nothing already committed, and forgets work finished after a revocation", () => {
    const tracker = new OffsetTracker();
    const ticket = tracker.received(tp, "7");
    tracker.done(ticket);
    tracker.markCommitted(tracker.committable());
    expect(tracker.committable()).toEqual([]);
    const late = tracker.received(tp, "8");
    tracker.revoke(tp);
    tracker.assign(tp);
    tracker.done(late);
    expect(tracker.committable()).toEqual([]);
  });

  it("ignores a committed offset read back after this member committed further", () => {
    const tracker = new OffsetTracker();
    tracker.done(tracker.received(tp, "20"));
    tracker.markCommitted(tracker.committable());
    tracker.seedCommitted({ ...tp, offset: "3" });
    expect(tracker.committed(tp)).toBe("21");
  });

  it("never offers an offset past an unfinished message, whatever the order of completion", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 40 }),
        fc.func(fc.boolean()),
        fc.infiniteStream(fc.nat()),
        (raw, isDone, picks) => {
          const offsets = [...raw].sort((a, b) => a - b);
          const tracker = new OffsetTracker();
          const tickets = offsets.map((o) => ({ offset: o, ticket: tracker.received(tp, String(o)) }));
          const finished = new Set<number>();
          const order = [...tickets];
          const it = picks[Symbol.iterator]();
          while (order.length > 0) {
            const [picked] = order.splice((it.next().value as number) % order.length, 1);
            if (!picked || !isDone(picked.offset)) continue;
            tracker.done(picked.ticket);
            finished.add(picked.offset);
            const next = nextOf(tracker);
            if (next === undefined) continue;
            tracker.markCommitted(tracker.committable());
            // Everything received below the committed offset is finished.
            for (const o of offsets) if (o < Number(next)) expect(finished.has(o)).toBe(true);
          }
        },
      ),
    );
  });

  it("keeps received offsets in order whatever order they arrive in (a seek back re-delivers), each once", () => {
    const tracker = new OffsetTracker();
    const late = tracker.received(tp, "5");
    const early = tracker.received(tp, "3");
    tracker.received(tp, "5");
    tracker.received(tp, "4");
    expect(tracker.snapshot()).toEqual([{ ...tp, committed: undefined, pending: 3 }]);
    tracker.done(late);
    // 3 and 4 are still in hand: nothing may be committed past them.
    expect(nextOf(tracker)).toBeUndefined();
    tracker.done(early);
    // 3 done, 4 still in hand: the group may read on from 4.
    expect(nextOf(tracker)).toBe("4");
    tracker.done(tracker.received(tp, "4"));
    expect(nextOf(tracker)).toBe("6");
    expect(tracker.snapshot()[0]?.pending).toBe(0);
  });

  it("agrees with a plain sorted list of unfinished offsets through long runs, refetches and early finishes", () => {
    // The model: what the tracker must hold, kept the slow obvious way. Runs are short, or long
    // enough (1,000+) to pass the point where the tracker drops its finished prefix.
    const some = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 1500 }));
    const step = fc.oneof(
      fc.record({
        op: fc.constant("receive" as const),
        back: fc.nat({ max: 40 }),
        run: fc.integer({ min: 1, max: 300 }),
      }),
      fc.record({ op: fc.constant("finish" as const), pick: fc.oneof(fc.nat({ max: 2 }), fc.nat()) }),
      // Many at once, after leaving the lowest `skip` unfinished: past the tracker's compaction point.
      fc.record({ op: fc.constant("finishMany" as const), skip: fc.nat({ max: 3 }), count: some }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const tracker = new OffsetTracker();
        tracker.assign(tp);
        const unfinished: number[] = [];
        const tickets = new Map<number, Ticket>();
        let highestDone = -1;
        let next = 0;
        for (const s of steps) {
          if (s.op === "receive") {
            // A run of new offsets, sometimes after a seek back over a few already received.
            const from = Math.max(0, next - s.back);
            for (let o = from; o < from + s.run; o++) {
              tickets.set(o, tracker.received(tp, String(o)));
              if (!unfinished.includes(o)) unfinished.push(o);
            }
            unfinished.sort((a, b) => a - b);
            next = Math.max(next, from + s.run);
          } else {
            const picked =
              s.op === "finish"
                ? unfinished.splice(s.pick % Math.max(1, unfinished.length), 1)
                : unfinished.splice(s.skip, s.count);
            for (const o of picked) {
              tracker.done(tickets.get(o) as Ticket);
              highestDone = Math.max(highestDone, o);
            }
          }
          expect(tracker.snapshot()[0]?.pending).toBe(unfinished.length);
          const first = unfinished[0];
          const expected =
            highestDone < 0 ? undefined : first !== undefined && first <= highestDone ? first : highestDone + 1;
          expect(nextOf(tracker)).toBe(expected === undefined || expected === 0 ? undefined : String(expected));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("loses no unfinished offset when a long finished run ahead of it is let go", () => {
    const tracker = new OffsetTracker();
    const tickets = Array.from({ length: 1400 }, (_, o) => tracker.received(tp, String(o)));
    // 1..1100 finish before 0: then 0 finishes, and everything up to 1100 is behind the tracker.
    for (const ticket of tickets.slice(1, 1101)) tracker.done(ticket);
    expect(nextOf(tracker)).toBeUndefined();
    tracker.done(tickets[0] as Ticket);
    expect(nextOf(tracker)).toBe("1101");
    expect(tracker.snapshot()[0]?.pending).toBe(299);
    for (const ticket of tickets.slice(1102)) tracker.done(ticket);
    // 1101 is still in hand.
    expect(nextOf(tracker)).toBe("1101");
    tracker.done(tickets[1101] as Ticket);
    expect(nextOf(tracker)).toBe("1400");
  });

  it("changes nothing when a ticket is finished twice, at the head or behind an unfinished one", () => {
    const tracker = new OffsetTracker();
    const [t0, t1, t2] = ["0", "1", "2"].map((o) => tracker.received(tp, o)) as [Ticket, Ticket, Ticket];
    tracker.done(t0);
    tracker.done(t0);
    tracker.done(t2);
    tracker.done(t2);
    // 0 and 2 are finished (each once), 1 is still in hand.
    expect(tracker.snapshot()[0]?.pending).toBe(1);
    tracker.done(t1);
    expect(tracker.snapshot()[0]?.pending).toBe(0);
    expect(nextOf(tracker)).toBe("3");
  });

  it("marks commits only for partitions it holds, and never moves a committed offset back", () => {
    const tracker = new OffsetTracker();
    tracker.assign(tp);
    tracker.markCommitted([{ ...tp, offset: "9" }]);
    tracker.markCommitted([{ ...tp, offset: "4" }]);
    expect(tracker.committed(tp)).toBe("9");
    expect(() => tracker.markCommitted([{ topic: "orders", partition: 7, offset: "1" }])).not.toThrow();
    expect(tracker.committed({ topic: "orders", partition: 7 })).toBeUndefined();
  });

  it("seeds the committed offset of an assigned partition only, and lists partitions in order", () => {
    const tracker = new OffsetTracker();
    tracker.assign({ topic: "t", partition: 2 });
    tracker.assign({ topic: "t", partition: 0 });
    tracker.seedCommitted({ topic: "t", partition: 2, offset: "40" });
    tracker.seedCommitted({ topic: "t", partition: 1, offset: "9" });
    expect(tracker.committed({ topic: "t", partition: 2 })).toBe("40");
    expect(tracker.committed({ topic: "t", partition: 1 })).toBeUndefined();
    expect(tracker.snapshot().map((s) => [s.partition, s.committed])).toEqual([
      [0, undefined],
      [2, "40"],
    ]);
    // Work finished below the group's committed offset offers nothing new.
    tracker.done(tracker.received({ topic: "t", partition: 2 }, "38"));
    expect(tracker.committable()).toEqual([]);
    tracker.done(tracker.received({ topic: "t", partition: 2 }, "40"));
    expect(tracker.committable()).toEqual([{ topic: "t", partition: 2, offset: "41" }]);
  });
});
