import { defineTopic, healthTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { namespace } from "@kafka-pair/shared/runtime";
import { anOrder } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { buildRecord, type RecordContext } from "./record.ts";

const now = new Date("2026-02-03T04:05:06.000Z");
const newTrace = { traceparent: "00-11111111111111111111111111111111-2222222222222222-00" };
const ctx: RecordContext = {
  namespace: namespace("ns."),
  source: "/edge",
  id: undefined,
  trace: undefined,
  newTrace,
  time: now.toISOString(),
};
const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const json = (value: unknown) => ({ json: value });
/** A CloudEvents request's event, with only the attributes given. */
const cloudEvent = (attributes: Record<string, string>, trace: { traceparent?: string; tracestate?: string } = {}) => ({
  attributes: { extensions: {}, ...attributes },
  trace,
  issues: [],
});

describe("buildRecord", () => {
  it("writes the event under the namespace, keyed by the contract, with ce_* headers from the edge", () => {
    const built = buildRecord(ordersTopic, { data: json(anOrder(1)) }, { ...ctx, id: "evt-1", trace: { traceparent } });
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

  it("keeps the sender's CloudEvents attributes; an Idempotency-Key never replaces a CloudEvent's id", () => {
    const event = cloudEvent({ id: "ce-9", source: "/shop", time: "2026-01-01T00:00:00Z", subject: "s" });
    expect(buildRecord(ordersTopic, { data: json(anOrder(1)), event }, ctx).record.headers).toMatchObject({
      ce_id: "ce-9",
      ce_source: "/shop",
      ce_time: "2026-01-01T00:00:00Z",
      ce_subject: "s",
    });
    expect(buildRecord(ordersTopic, { data: json(anOrder(1)), event }, { ...ctx, id: "key-1" }).id).toBe("ce-9");
    expect(buildRecord(ordersTopic, { data: json(anOrder(1)) }, { ...ctx, id: "key-1" }).id).toBe("key-1");
    const random = buildRecord(ordersTopic, { data: json(anOrder(1)) }, ctx).id;
    expect(random).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes text contracts as UTF-8 text, without a key", () => {
    const built = buildRecord(healthTopic, { data: json("ok") }, ctx);
    expect(new TextDecoder().decode(built.record.value)).toBe("ok");
    expect(built.record.key).toBeNull();
    expect(built.record.headers?.["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("carries the event's own trace context when the request has none, else starts the edge's trace", () => {
    const event = cloudEvent({}, { traceparent, tracestate: "vendor=1" });
    const carried = buildRecord(ordersTopic, { data: json(anOrder(1)), event }, ctx).record.headers;
    expect(carried).toMatchObject({ traceparent, tracestate: "vendor=1" });
    const malformed = cloudEvent({}, { traceparent: `x${traceparent}` });
    const started = buildRecord(ordersTopic, { data: json(anOrder(1)), event: malformed }, ctx).record.headers;
    expect(started?.traceparent).toBe(newTrace.traceparent);
  });

  it("refuses a CloudEvent of another type, naming ce.type", () => {
    const build = () =>
      buildRecord(ordersTopic, { data: json(anOrder(1)), event: cloudEvent({ type: "other.type" }) }, ctx);
    expect(build).toThrow(expect.objectContaining({ code: "INVALID_EVENT" }));
    try {
      build();
    } catch (err) {
      expect((err as { issues: unknown }).issues).toEqual([
        { path: "ce.type", message: `expected ${ordersTopic.eventType}`, received: "other.type" },
      ]);
    }
    expect(() =>
      buildRecord(ordersTopic, { data: json(anOrder(1)), event: cloudEvent({ type: ordersTopic.eventType }) }, ctx),
    ).not.toThrow();
  });

  it("refuses an event over the contract's size limit, accepts one at the limit", () => {
    const size = JSON.stringify(anOrder(1)).length;
    const at = defineTopic({ ...ordersTopic, maxValueBytes: size });
    expect(() => buildRecord(at, { data: json(anOrder(1)) }, ctx)).not.toThrow();
    const under = defineTopic({ ...ordersTopic, maxValueBytes: size - 1 });
    expect(() => buildRecord(under, { data: json(anOrder(1)) }, ctx)).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    );
  });
});
