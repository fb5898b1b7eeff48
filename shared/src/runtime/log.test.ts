import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { componentOf, createLogger } from "./log.ts";

const sink = () =>
  pino(
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  );

describe("componentOf", () => {
  it("reads the component binding as bindings() does, the last one winning", () => {
    const root = sink();
    const rdkafka = root.child({ component: "librdkafka", groupId: "g" });
    const cases = [
      root,
      root.child({ component: "consumer" }),
      rdkafka,
      rdkafka.child({ partition: 1, offset: "7" }),
      rdkafka.child({ component: "consumer" }),
      root.child({ note: 'not "component":"librdkafka"' }),
    ];
    for (const logger of cases) expect(componentOf(logger)).toBe(String(logger.bindings().component ?? ""));
    expect(componentOf(rdkafka.child({ partition: 1 }))).toBe("librdkafka");
  });
});

describe("createLogger", () => {
  /** A logger at `level` and the levels and messages of the lines it wrote. */
  const capture = (level: string) => {
    const lines: Array<{ level: number; msg: string; time: string; service: string }> = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    return { logger: createLogger("test", level, { write: (line: string) => stream.write(line) }), lines };
  };

  it("demotes librdkafka's info lines to debug, for its children too, and only for them", () => {
    const { logger, lines } = capture("info");
    const rdkafka = logger.child({ component: "librdkafka" });
    rdkafka.info("connected");
    rdkafka.child({ partition: 1 }).info("child connected");
    rdkafka.warn("broker down");
    rdkafka.child({ component: "consumer" }).info("rebound");
    logger.child({ note: 'not "component":"librdkafka"' }).info("quoted");
    logger.child({ partition: 2 }).info("plain");
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, "broker down"],
      [30, "rebound"],
      [30, "quoted"],
      [30, "plain"],
    ]);
  });

  it("writes the demoted lines at debug when debug is on", () => {
    const { logger, lines } = capture("debug");
    const rdkafka = logger.child({ component: "librdkafka" });
    rdkafka.info("connected");
    rdkafka.child({ partition: 1 }).info("child connected");
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, "connected"],
      [20, "child connected"],
    ]);
  });

  it("stamps each line with the clock's ISO time, to the millisecond, as the clock moves", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const { logger, lines } = capture("info");
      vi.setSystemTime(Date.UTC(2026, 11, 3, 13, 0, 0, 5));
      logger.info("one");
      logger.child({ partition: 1 }).info("same millisecond");
      vi.setSystemTime(Date.UTC(2026, 11, 3, 13, 0, 0, 6));
      logger.info("next millisecond");
      vi.setSystemTime(Date.UTC(2027, 0, 1));
      logger.info("next year");
      // Every line names the service that wrote it (the worker's name), for a shipper that merges them.
      expect(new Set(lines.map((l) => l.service))).toEqual(new Set(["test"]));
      expect(lines.map((l) => l.time)).toEqual([
        "2026-12-03T13:00:00.005Z",
        "2026-12-03T13:00:00.005Z",
        "2026-12-03T13:00:00.006Z",
        "2027-01-01T00:00:00.000Z",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
