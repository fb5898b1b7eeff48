import type { TestProject } from "vitest/node";
import {
  bootstrapServers,
  clusterDown,
  clusterUp,
  saslBootstrapServers,
  tlsBootstrapServers,
  tlsPaths,
} from "../scripts/kafka/launcher.ts";
import { withFaultLauncher } from "../test/faults/fault-cluster.ts";
import * as shared from "../test/global-setup.ts";

export interface FaultClusterInfo {
  bootstrapServers: string;
  saslBootstrapServers: string;
  tlsBootstrapServers: string;
  caLocation: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    faultCluster: FaultClusterInfo;
  }
}

const log = (message: string) => console.log(`[faults] ${message}`);

/** The shared cluster (for the cases that only read it) plus the fault suite's own cluster. */
export async function setup(project: TestProject) {
  await shared.setup(project);
  const info = await withFaultLauncher(async () => {
    await clusterUp({ log });
    return {
      bootstrapServers: bootstrapServers(),
      saslBootstrapServers: saslBootstrapServers() ?? "",
      tlsBootstrapServers: tlsBootstrapServers() ?? "",
      caLocation: tlsPaths().caCert,
    };
  });
  project.provide("faultCluster", info);
}

export async function teardown() {
  // The fault cluster is this run's alone: stop it and wipe its state, whatever KEEP_KAFKA says.
  await withFaultLauncher(() => clusterDown({ wipe: true, log })).catch((err) => log(`teardown: ${String(err)}`));
  await shared.teardown();
}
