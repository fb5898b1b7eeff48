/**
 * tsx scripts/kafka/cli.ts up | down [--wipe] | status | fetch
 * (npm run kafka:up / kafka:down [-- --wipe] / kafka:status / kafka:fetch)
 */
import {
  BROKER_IDS,
  bootstrapServers,
  brokerPaths,
  cacheDir,
  clusterDown,
  clusterStatus,
  clusterUp,
  fetchKafka,
  KAFKA_VERSION,
  launcherDir,
  metadataProbe,
  saslBootstrapServers,
  tlsBootstrapServers,
  tlsPaths,
} from "./launcher.ts";

const log = (msg: string) => console.log(`[kafka] ${msg}`);
const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function printLogLocations(): void {
  console.log(`logs: ${launcherDir()}/broker-{${BROKER_IDS.join(",")}}/server.log (JVM output: stdout.log)`);
}

async function status(): Promise<number> {
  const rows = await clusterStatus();
  console.log(`Kafka ${KAFKA_VERSION}  state: ${launcherDir()}`);
  console.log("id  port   pid      alive  metadata");
  for (const r of rows) {
    let md = "-";
    if (r.alive) {
      // What this broker itself reports: shows a broker that is up but not (yet) registered.
      md = await metadataProbe(r.port, 1_500).then(
        (m) =>
          `sees brokers [${m.brokers
            .map((b) => b.nodeId)
            .sort()
            .join(",")}], controller ${m.controllerId}`,
        (e: Error) => `no answer (${e.message})`,
      );
    }
    console.log(
      `${String(r.id).padEnd(4)}${String(r.port).padEnd(7)}${String(r.pid ?? "-").padEnd(9)}${(r.alive ? "yes" : "no").padEnd(7)}${md}`,
    );
  }
  printLogLocations();
  const up = rows.every((r) => r.alive);
  console.log(up ? `bootstrap: ${bootstrapServers()}` : "cluster is not (fully) up: npm run kafka:up");
  return up ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const t0 = Date.now();
  switch (cmd) {
    case "fetch": {
      const { libDir } = await fetchKafka({ log });
      log(`Kafka ${KAFKA_VERSION} jars in ${libDir} (${seconds(t0)})`);
      return 0;
    }
    case "up": {
      const { bootstrapServers: servers, started } = await clusterUp({ log });
      log(started ? `up in ${seconds(t0)}: ${servers}` : `already running: ${servers}`);
      const sasl = saslBootstrapServers();
      const tls = tlsBootstrapServers();
      if (sasl) log(`SASL_PLAINTEXT (SCRAM-SHA-512): ${sasl}`);
      if (tls) log(`SSL: ${tls} (CA: ${tlsPaths().caCert})`);
      printLogLocations();
      return 0;
    }
    case "down": {
      const wipe = rest.includes("--wipe");
      await clusterDown({ wipe, log });
      log(`down in ${seconds(t0)}`);
      return 0;
    }
    case "status":
      return status();
    default:
      console.error("usage: tsx scripts/kafka/cli.ts up | down [--wipe] | status | fetch");
      console.error(`  jar cache: ${cacheDir()}   state: ${launcherDir()}   broker 1 log: ${brokerPaths(1).log}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[kafka] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
