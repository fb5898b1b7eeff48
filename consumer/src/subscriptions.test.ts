import { describe, expect, it } from "vitest";
import { loadSubscriptions } from "./subscriptions.ts";

const fixture = (name: string) => new URL(`../../test/unit/fixtures/${name}.ts`, import.meta.url).pathname;

describe("loadSubscriptions", () => {
  it("loads the built-in handlers when no module is named", async () => {
    const list = await loadSubscriptions(undefined);
    expect(list.map((s) => `${s.groupId}/${s.contract.name}`).sort()).toEqual([
      "health_group/health",
      "orders_group/orders",
    ]);
  });

  it("refuses two subscriptions of one group to one topic", async () => {
    await expect(loadSubscriptions(fixture("duplicate-subscriptions"))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: "two subscriptions for the same group and topic: orders_group/orders",
    });
  });

  it("accepts one topic read by two groups", async () => {
    const list = await loadSubscriptions(fixture("two-groups"));
    expect(list.map((s) => s.groupId)).toEqual(["billing", "shipping"]);
  });

  it("accepts a batch handler (handleBatch instead of handle)", async () => {
    const list = await loadSubscriptions(fixture("batch-subscription"));
    expect(list.map((s) => [s.groupId, typeof s.handleBatch, typeof s.handle])).toEqual([
      ["rows", "function", "undefined"],
      ["log", "undefined", "function"],
    ]);
  });

  it("refuses a module whose subscriptions are not subscribe(...) results", async () => {
    await expect(loadSubscriptions(fixture("not-subscriptions"))).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it.each([
    "bad-no-group",
    "bad-handle-not-function",
    "bad-both-handlers",
    "bad-from-beginning-not-boolean",
    "bad-no-contract",
    "bad-null-entry",
    "bad-empty",
    "bad-missing-export",
  ])("refuses %s", async (name) => {
    await expect(loadSubscriptions(fixture(name))).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
