import { describe, expect, it } from "vitest";
import { expectOrdersConsumed, usePair } from "../helpers/pair.ts";

// One cluster, two runtimes: the Node producer (librdkafka) feeds the Deno consumer
// (librdkafka through FFI); the topics and the contracts are the only thing they share.
describe("mixed pair: Node producer, Deno consumer", () => {
  const pair = usePair({ producer: "node", consumer: "deno" });

  it("runs each worker on its own client", () => {
    expect(pair.producer.logs.find((l) => l.msg === "producer listening")).toMatchObject({ transport: "confluent" });
    expect(pair.consumer.logs.find((l) => l.msg === "consumer listening")).toMatchObject({ transport: "rdkafka-ffi" });
  });

  it("has the Deno consumer process and commit every order the Node producer stored", async () => {
    await expectOrdersConsumed(pair);
  });
});
