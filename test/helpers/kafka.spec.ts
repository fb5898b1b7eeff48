import { describe, expect, it } from "vitest";
import { eventually, GiveUp } from "./kafka.ts";

describe("eventually", () => {
  it("retries a check that throws until it answers", async () => {
    let calls = 0;
    const answer = await eventually(() => {
      calls++;
      if (calls < 3) throw new Error("connection refused");
      return "up";
    }, 5_000);
    expect(answer).toBe("up");
    expect(calls).toBe(3);
  });

  it("ends the wait at the first GiveUp, with that error", async () => {
    let calls = 0;
    const waiting = eventually(() => {
      calls++;
      throw new GiveUp("the server exited");
    }, 5_000);
    await expect(waiting).rejects.toThrow(new GiveUp("the server exited"));
    expect(calls).toBe(1);
  });
});
