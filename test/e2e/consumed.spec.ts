import { describe, expect, it } from "vitest";
import { readJson } from "../helpers/events.ts";
import { eventually } from "../helpers/kafka.ts";
import { committedPast, expectOrdersConsumed, type Produced, processed, usePair } from "../helpers/pair.ts";

// The far side of the pair: what the consumer worker did with what the producer sent.
describe("messages consumed", () => {
  const pair = usePair({ producer: "node", consumer: "node" });
  const { ns } = pair;

  it("processes every order posted and commits past each one", async () => {
    await expectOrdersConsumed(pair);
  });

  it("round-trips the tutorial's health ping through health_group", async () => {
    const res = await fetch(`${pair.producer.url}/kafka/health`);
    expect(res.status).toBe(200);
    const ping: Produced = await readJson(res);
    await eventually(() => (processed(pair.consumer, ping) ? true : undefined), 30_000, "health ping processed");
    const line = pair.consumer.logs.find((l) => l.msg === `Consumed message: ok, offset: ${ping.offset}`);
    expect(line).toBeDefined();
    await eventually(() => committedPast(pair.admin, ns, "health_group", ping), 30_000, "health commit");
  });

  it("shows what each group did on GET /status", async () => {
    const status = await readJson(await fetch(`${pair.consumer.url}/status`));
    const orders = status.groups.find((g: { groupId: string }) => g.groupId === "orders_group");
    expect(orders.processed).toBeGreaterThanOrEqual(10);
    expect(orders.failed).toBe(0);
  });

  it("leaves the group cleanly on SIGTERM", async () => {
    expect(await pair.consumer.stop("SIGTERM")).toBe(0);
    expect(pair.consumer.logs.some((l) => l.msg === "consumer stopped")).toBe(true);
  });
});
