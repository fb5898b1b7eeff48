import { describe, expect, it } from "vitest";
import { cloudEventFrom, toKafkaHeaders } from "./cloudevents.ts";

describe("cloudEventFrom", () => {
  it("reads the ce_* headers, extensions and content type", () => {
    const ce = cloudEventFrom({
      ce_id: "e-1",
      ce_source: "/kafka-pair/producer",
      ce_type: "dev.kafka-pair.order.placed",
      ce_specversion: "1.0",
      ce_time: "2025-01-01T00:00:00Z",
      ce_tenant: "acme",
      "content-type": "application/json",
      traceparent: "x",
    });
    expect(ce).toEqual({
      id: "e-1",
      source: "/kafka-pair/producer",
      type: "dev.kafka-pair.order.placed",
      specversion: "1.0",
      time: "2025-01-01T00:00:00Z",
      datacontenttype: "application/json",
      extensions: { tenant: "acme" },
    });
  });

  it("is undefined when a required attribute is missing", () => {
    expect(cloudEventFrom({ ce_id: "e-1", ce_source: "/s", ce_type: "t" })).toBeUndefined();
  });
});

describe("toKafkaHeaders", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("writes the Kafka binding's headers", () => {
    const headers = toKafkaHeaders(
      {
        id: "e",
        source: "/s",
        type: "t",
        specversion: "1.0",
        subject: "x",
        datacontenttype: "application/json",
        extensions: { tenant: "a" },
      },
      { traceparent: valid, tracestate: "a=1" },
    );
    expect(headers).toEqual({
      ce_id: "e",
      ce_source: "/s",
      ce_type: "t",
      ce_specversion: "1.0",
      ce_subject: "x",
      ce_tenant: "a",
      "content-type": "application/json",
      traceparent: valid,
      tracestate: "a=1",
    });
    expect(cloudEventFrom(headers)).toMatchObject({ id: "e", subject: "x", extensions: { tenant: "a" } });
  });
});
