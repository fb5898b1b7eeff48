import { describe, expect, it } from "vitest";
import { partitionForKey } from "./murmur2.ts";

// Written by librdkafka (Confluent client, partitioner murmur2_random) to real 7- and
// 3-partition topics on the launcher cluster, then read back from the delivery reports.
const librdkafka: Record<string, [number, number]> = {
  "": [2, 0],
  a: [5, 1],
  ab: [0, 2],
  abc: [4, 0],
  abcd: [5, 2],
  kafka: [3, 1],
  "order-1": [4, 1],
  "3f2b1c9e-8a4d-4e21-9b7f-0c1d2e3f4a5b": [1, 1],
  "é ü 🎉": [3, 1],
  "the quick brown fox": [6, 1],
};

describe("partitionForKey", () => {
  it.each(Object.entries(librdkafka))("puts %j where librdkafka's murmur2_random does", (key, [of7, of3]) => {
    expect(partitionForKey(key, 7)).toBe(of7);
    expect(partitionForKey(key, 3)).toBe(of3);
  });
});
