/**
 * The fault suite's own 3-broker cluster, separate from the shared one on 9092-9094:
 * its own state dir and ports, plus a SASL (SCRAM-SHA-512) and a TLS listener.
 * Brokers are only ever killed here, never on the shared cluster.
 */
import { fileURLToPath } from "node:url";

export const FAULT_CLUSTER = {
  // Overridable, so that two checkouts on one machine can run the suite at once.
  dir: process.env.FAULTS_LAUNCHER_DIR ?? fileURLToPath(new URL("../../.kafka-faults", import.meta.url)),
  portBase: Number(process.env.FAULTS_LAUNCHER_PORT_BASE ?? 9192),
  scramUser: "fault-user",
  scramPassword: "fault-secret-1",
} as const;

/** The launcher's environment for the fault cluster. */
export function faultLauncherEnv(): Record<string, string> {
  return {
    KAFKA_LAUNCHER_DIR: FAULT_CLUSTER.dir,
    KAFKA_LAUNCHER_PORT_BASE: String(FAULT_CLUSTER.portBase),
    KAFKA_LAUNCHER_SCRAM_USERS: `${FAULT_CLUSTER.scramUser}:${FAULT_CLUSTER.scramPassword}`,
    KAFKA_LAUNCHER_TLS: "1",
  };
}

/**
 * Runs `fn` with the launcher pointed at the fault cluster, then restores the environment,
 * so nothing else in this process (the shared cluster's teardown) ever sees these settings.
 */
export async function withFaultLauncher<T>(fn: () => Promise<T>): Promise<T> {
  const env = faultLauncherEnv();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
