import { spawn } from "node:child_process";
import net from "node:net";
import { describe, expect, it } from "vitest";

// The unit project's setup file is what keeps the project fast and Kafka-free: prove it is on.
describe("unit project guard", () => {
  it("refuses sockets, child processes and fetch", () => {
    expect(() => net.connect(9092, "127.0.0.1")).toThrow(/must not open a network connection/);
    expect(() => new net.Socket().connect(9092, "127.0.0.1")).toThrow(/must not/);
    expect(() => spawn("java")).toThrow(/must not start a child process/);
    expect(() => fetch("http://127.0.0.1:9092")).toThrow(/must not fetch/);
  });
});
