import type { Logger, Namespace } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import type { Context } from "hono";
import type { Assets } from "./assets/build.ts";
import type { ConsoleCluster } from "./cluster/types.ts";
import type { LagSampler } from "./groups/sampler.ts";
import type { GuardOptions } from "./guard/guard.ts";

/** What the console app is built from; a leaf module so the app and its routes both import it. */
export interface ConsoleDeps {
  cluster: ConsoleCluster;
  namespace: Namespace;
  logger: Logger;
  bootstrapServers: string;
  guard: GuardOptions;
  /** The producer edge the produce form posts through. */
  producerUrl: string;
  /** How the console calls the producer edge (fetch; a stand-in in tests). */
  fetchEdge: (url: string, init: RequestInit) => Promise<Response>;
  /** The producer that replays dead letters, connected on first use. */
  replayProducer: () => Promise<ProducerTransport>;
  sampler: LagSampler;
  assets: Assets;
  /** The caller's address, for the replay audit line (the Node server's socket). */
  remoteAddress?: (c: Context) => string | undefined;
  /** Live tails open at once; more get 503. */
  maxTails?: number;
}

export type ConsoleEnv = { Variables: { writable: boolean } };
