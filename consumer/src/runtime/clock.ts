import { sleep } from "../concurrency.ts";

/** Time as the runtime sees it: injected so tests drive backoffs and due times without waiting. */
export interface Clock {
  now(): number;
  /** Waits `ms`, or rejects as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
