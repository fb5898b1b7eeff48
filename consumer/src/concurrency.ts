/** Bounds how many handlers run at once; waiters are served in arrival order. */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  /** Plain promise chaining rather than an async function: it runs for every event. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) {
      this.#free--;
      return this.#hold(task);
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#hold(task));
  }

  /** Runs `task` on a permit already taken, and passes the permit on once it settles. */
  #hold<T>(task: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = task();
    } catch (err) {
      this.#release();
      return Promise.reject(err);
    }
    running.then(this.#release, this.#release);
    return running;
  }

  readonly #release = (): void => {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  };
}

/** Exponential backoff with jitter: retry n waits between half and all of base * 2^(n-1), capped. */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
