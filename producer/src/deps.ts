import type { AccessLogSettings, Logger, Namespace } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import type { Authenticator, Principal } from "./auth/index.ts";
import type { IdempotencyStore } from "./idempotency.ts";
import type { ProducerMetrics } from "./metrics.ts";

/** What the HTTP edge is built from; a leaf module so the app and its routes both import it. */
export interface ProducerDeps {
  producer: ProducerTransport;
  logger: Logger;
  namespace: Namespace;
  metrics: ProducerMetrics;
  idempotency: IdempotencyStore;
  /** The single bearer token (principal `api-token`, every topic) when `auth` is not given; none when undefined. */
  apiToken: string | undefined;
  /** Who may produce: API keys and/or JWTs (auth/); overrides apiToken. */
  auth?: Authenticator;
  /** CloudEvents `source` for events whose request named none. */
  eventSource: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** True once SIGTERM arrived: new produce requests are refused, in-flight ones finish. */
  isDraining: () => boolean;
  /** Access log: every request, a sample, or none (ACCESS_LOG); sampled 1 in 100 when not given. */
  accessLog?: AccessLogSettings;
}

export type ProducerEnv = { Variables: { requestId: string; logger: Logger; principal?: Principal } };
