import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { componentOf } from "./log.ts";

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
