import type { LatencySummary } from "./hist.ts";

export const SCENARIOS = [
  "http-single",
  "http-batch",
  "client-raw",
  "java-limit",
  "consume",
  "consume-ordering",
  "consume-eos",
  "end-to-end",
  "peers",
  "sweep",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Verification {
  /** What was compared, in words. */
  check: string;
  expected: number;
  actual: number;
  ok: boolean;
  /** Records of requests still unanswered when a time-boxed generator (wrk) stopped: stored or not, never counted. */
  unanswered?: number;
}

/** CPU seconds by role during the measured window: the process under test, the brokers, the load generator. */
export interface CpuRoles {
  edge?: number;
  brokers?: number;
  generator?: number;
}

export interface ScenarioResult {
  /** Row id, e.g. `http-batch (ndjson)`. */
  id: string;
  scenario: ScenarioName;
  client: "confluent" | "kafkajs" | "platformatic" | "java";
  status: "ok" | "unavailable" | "failed";
  note?: string;
  /** Messages Kafka acknowledged (producing) or the handler finished (consuming). */
  messages: number;
  errors: number;
  bytes: number;
  elapsedS: number;
  msgsPerS: number;
  mbPerS: number;
  latency?: LatencySummary;
  /** What one latency sample spans. */
  latencyOf: string;
  /** CPU seconds spent by each measured process during the window. */
  cpuS: Record<string, number>;
  /** The same CPU seconds by role (edge = the process under test), for CPU per 1,000 events. */
  cpu?: CpuRoles;
  verified?: Verification;
  settings: Record<string, unknown>;
  /** Which round of the run measured it (--rounds), from 1. */
  round?: number;
}

export function unavailable(
  id: string,
  scenario: ScenarioName,
  client: ScenarioResult["client"],
  note: string,
  status: "unavailable" | "failed" = "unavailable",
): ScenarioResult {
  return {
    id,
    scenario,
    client,
    status,
    note,
    messages: 0,
    errors: 0,
    bytes: 0,
    elapsedS: 0,
    msgsPerS: 0,
    mbPerS: 0,
    latencyOf: "",
    cpuS: {},
    settings: {},
  };
}

export function rates(messages: number, bytes: number, elapsedS: number) {
  return {
    msgsPerS: elapsedS > 0 ? messages / elapsedS : 0,
    mbPerS: elapsedS > 0 ? bytes / elapsedS / (1024 * 1024) : 0,
  };
}
