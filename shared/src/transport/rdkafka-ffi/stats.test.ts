import { describe, expect, it } from "vitest";
import { CONST } from "./layout.ts";
import { parseStats, toDeliveryError, writableCluster } from "./stats.ts";

describe("rdkafka-ffi delivery errors", () => {
  it("maps librdkafka's codes to the Node adapter's HTTP answers", () => {
    expect(toDeliveryError(CONST.ERR__QUEUE_FULL, "Local: Queue full")).toMatchObject({
      code: "KAFKA_UNAVAILABLE",
      status: 503,
    });
    expect(toDeliveryError(CONST.ERR__MSG_TIMED_OUT, "Local: Message timed out")).toMatchObject({
      code: "DELIVERY_TIMEOUT",
      status: 504,
    });
    expect(toDeliveryError(CONST.ERR_MSG_SIZE_TOO_LARGE, "Broker: Message size too large")).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    const other = toDeliveryError(CONST.ERR__FATAL, "Local: Fatal error");
    expect(other).toMatchObject({ code: "DELIVERY_FAILED", status: 502 });
    expect(other.message).toContain("Local: Fatal error");
  });
});

describe("rdkafka-ffi statistics", () => {
  const json = JSON.stringify({
    msg_cnt: 7,
    msg_size: 700,
    brokers: {
      "127.0.0.1:9092/bootstrap": { nodeid: -1, state: "UP" },
      "127.0.0.1:9092/1": { nodeid: 1, state: "UP", rtt: { avg: 1500 }, txretries: 2, txerrs: 1 },
      "127.0.0.1:9093/2": { nodeid: 2, state: "DOWN" },
      "127.0.0.1:9094/3": { nodeid: 3, state: "UP" },
    },
  });

  it("counts the cluster's brokers only, not bootstrap entries", () => {
    const stats = parseStats(json);
    expect(stats).toMatchObject({ queuedMessages: 7, queuedBytes: 700, brokersUp: 2 });
    expect(stats.brokers.map((b) => b.name).sort()).toEqual([
      "127.0.0.1:9092/1",
      "127.0.0.1:9093/2",
      "127.0.0.1:9094/3",
    ]);
    expect(stats.brokers.find((b) => b.name === "127.0.0.1:9092/1")).toMatchObject({
      rttAvgMs: 1.5,
      txRetries: 2,
      txErrors: 1,
    });
  });

  it("is writable with a majority of brokers up, not with a minority", () => {
    expect(writableCluster(parseStats(json))).toBe(true);
    const oneUp = json.replace(
      '"127.0.0.1:9094/3":{"nodeid":3,"state":"UP"}',
      '"127.0.0.1:9094/3":{"nodeid":3,"state":"DOWN"}',
    );
    expect(writableCluster(parseStats(oneUp))).toBe(false);
    expect(writableCluster(parseStats("{}"))).toBe(false);
  });
});
