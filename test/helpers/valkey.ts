import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { freePort } from "../../scripts/free-port.ts";
import { eventually } from "./kafka.ts";
import { atFileEnd, stopChild } from "./teardown.ts";

/** valkey-server where the distribution has it (Debian 13+), else redis-server (Debian 12); the set-up installs one. */
export function valkeyBinary(): string {
  for (const candidate of ["/usr/bin/valkey-server", "/usr/bin/redis-server"])
    if (existsSync(candidate)) return candidate;
  throw new Error("neither valkey-server nor redis-server is installed: run `npm test` (its set-up installs one)");
}

const ping = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });

export interface ValkeyServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A throwaway Valkey/Redis server on its own port, no persistence; stopped after the file's tests. */
export async function useValkey(): Promise<ValkeyServer> {
  const port = await freePort();
  let child: ReturnType<typeof spawn> | undefined;
  const server: ValkeyServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        valkeyBinary(),
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
        { stdio: "ignore" },
      );
      await eventually(async () => ((await ping(port)) ? true : undefined), 15_000, "valkey to answer PING");
    },
    async stop() {
      const running = child;
      child = undefined;
      await stopChild(running, "SIGTERM");
    },
  };
  await server.start();
  atFileEnd(() => server.stop());
  return server;
}
