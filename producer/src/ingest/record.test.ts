import { defineTopic, healthTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { namespace } from "@kafka-pair/shared/namespace";
import { anOrder } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { buildRecord, type RecordContext } from "./record.ts";

const now = new Date("2026-02-03T04:05:06.000Z");
const ctx: RecordContext = { namespace: namespace("ns."), source: "/edge", id: undefined, traceparent: undefined, now };
const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("buildRecord", () => {
  it("writes the event under the namespace, keyed by the contract, with ce_* headers from the edge", () => {
    const built = buildRecord(ordersTopic, { data: anOrder(1) }, { ...ctx, id: "evt-1", traceparent });
    expect(built.id).toBe("evt-1");
    expect(built.record.topic).toBe("ns.orders");
    expect(built.record.key).toBe(anOrder(1).orderId);
    expect(JSON.parse(new TextDecoder().decode(built.record.value))).toEqual(anOrder(1));
    expect(built.record.headers).toEqual({
      ce_specversion: "1.0",
      ce_id: "evt-1",
      ce_source: "/edge",
      ce_type: ordersTopic.eventType,
      ce_time: now.toISOString(),
      "content-type": "application/json",
      traceparent,
    });
  });

  it("keeps the sender's CloudEvents attributes; the Idempotency-Key id wins over ce.id", () => {
    const ce = { id: "ce-9", source: "/shop", time: "2026-01-01T00:00:00Z", subject: "s" };
    expect(buildRecord(ordersTopic, { data: anOrder(1), ce }, ctx).record.headers).toMatchObject({
      ce_id: "ce-9",
      ce_source: "/shop",
      ce_time: "2026-01-01T00:00:00Z",
      ce_subject: "s",
    });
    expect(buildRecord(ordersTopic, { data: anOrder(1), ce }, { ...ctx, id: "key-1" }).id).toBe("key-1");
    const random = buildRecord(ordersTopic, { data: anOrder(1) }, ctx).id;
    expect(random).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes text contracts as UTF-8 text, without a key", () => {
    const built = buildRecord(healthTopic, { data: "ok" }, ctx);
    expect(new TextDecoder().decode(built.record.value)).toBe("ok");
    expect(built.record.key).toBeNull();
    expect(built.record.headers?.["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("drops a malformed traceparent", () => {
    const built = buildRecord(ordersTopic, { data: anOrder(1) }, { ...ctx, traceparent: `x${traceparent}` });
    expect(built.record.headers?.traceparent).toBeUndefined();
  });

  it("refuses a CloudEvent of another type, naming ce.type", () => {
    const build = () => buildRecord(ordersTopic, { data: anOrder(1), ce: { type: "other.type" } }, ctx);
    expect(build).toThrow(expect.objectContaining({ code: "INVALID_EVENT" }));
    try {
      build();
    } catch (err) {
      expect((err as { issues: unknown }).issues).toEqual([
        { path: "ce.type", message: `expected ${ordersTopic.eventType}`, received: "other.type" },
      ]);
    }
    expect(() =>
      buildRecord(ordersTopic, { data: anOrder(1), ce: { type: ordersTopic.eventType } }, ctx),
    ).not.toThrow();
  });

  it("refuses an event over the contract's size limit, accepts one at the limit", () => {
    const size = JSON.stringify(anOrder(1)).length;
    const at = defineTopic({ ...ordersTopic, maxValueBytes: size });
    expect(() => buildRecord(at, { data: anOrder(1) }, ctx)).not.toThrow();
    const under = defineTopic({ ...ordersTopic, maxValueBytes: size - 1 });
    expect(() => buildRecord(under, { data: anOrder(1) }, ctx)).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    );
  });
});
