import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { countBy, readBack, reportFigures } from "../../test/faults/helpers.ts";
import { anOrder } from "../../test/helpers/events.ts";
import { eventually, GiveUp, useNamespace } from "../../test/helpers/kafka.ts";
import { useValkey } from "../../test/helpers/valkey.ts";

// A fleet as deployed: three producers behind nginx sharing one Valkey/Redis Idempotency-Key store,
// three consumers in one group. Under steady load through nginx, every producer and then every
// consumer is restarted one after the other with SIGTERM. Nothing the clients were told was stored
// may be missing or doubled, every event must be handled, and no request may fail except with a
// retriable 503 that the client retried. Brokers are not touched: the shared cluster, own namespace.
const root = fileURLToPath(new URL("../..", import.meta.url));
const bootstrapServers = inject("bootstrapServers");
const CLIENTS = Number(process.env.FAULTS_FLEET_CLIENTS ?? 8);
const PAUSE_MS = Number(process.env.FAULTS_FLEET_PAUSE_MS ?? 20);
const SETTLE_MS = 3_000;

interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
  /** JSON log lines of this process. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function launch(name: "producer" | "consumer", port: number, env: Record<string, string>, into: Proc[]): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", `${name}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: bootstrapServers, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const proc: Proc = {
    name,
    port,
    child,
    logs: [],
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  let buffered = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        proc.logs.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
  child.stderr?.resume();
  into.push(proc);
  return proc;
}

async function ready(proc: Proc) {
  await eventually(
    async () => {
      if (proc.child.exitCode !== null) throw new GiveUp(`${proc.name} on ${proc.port} exited ${proc.child.exitCode}`);
      const res = await fetch(`http://127.0.0.1:${proc.port}/ready`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    120_000,
    `${proc.name} on ${proc.port} ready`,
  );
}

/** nginx from the distribution, configured here: round robin over the producers, a 503 or a refused connection tried on the next. */
async function startNginx(port: number, upstreams: number[]) {
  const dir = mkdtempSync(join(tmpdir(), "fleet-nginx-"));
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream producers {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://producers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A POST is retried on the next producer only when that is safe: the connection was refused
      # (nothing sent) or the producer answered 503 (never handed to Kafka). Anything else reaches the client.
      proxy_next_upstream error http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
    }
  }
}
`,
  );
  const child = spawn("/usr/sbin/nginx", ["-p", dir, "-c", conf, "-g", "daemon off;"], { stdio: "inherit" });
  await eventually(
    async () => ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok ? true : undefined),
    30_000,
    "nginx answering",
  );
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await exited;
    },
  };
}

interface Outcome {
  key: string;
  status: number;
  attempts: number;
  retried503: number;
}

describe("fleet", () => {
  // The shared cluster: the file's topics are deleted afterwards.
  const ns = useNamespace();

  it("three producers behind nginx and three consumers, each restarted with SIGTERM under load: nothing lost, nothing doubled, every event handled", {
    timeout: 900_000,
  }, async () => {
    const valkey = await useValkey();
    const procs: Proc[] = [];
    const producerEnv = {
      KAFKA_NAMESPACE: ns.prefix,
      IDEMPOTENCY_STORE: valkey.url,
      ACCESS_LOG: "off",
      LOG_LEVEL: "info",
    };
    const consumerEnv = { KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "debug" };
    const producerPorts = [await freePort(), await freePort(), await freePort()];
    const consumerPorts = [await freePort(), await freePort(), await freePort()];
    const producers = producerPorts.map((port) => launch("producer", port, producerEnv, procs));
    await Promise.all(producers.map(ready));
    const consumers = consumerPorts.map((port) => launch("consumer", port, consumerEnv, procs));
    await Promise.all(consumers.map(ready));
    const nginxPort = await freePort();
    const nginx = await startNginx(nginxPort, producerPorts);

    try {
      // ------------------------------------------------------------------ steady load through nginx
      const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });
      const post = (url: string, key: string, body: string) =>
        new Promise<{ status: number; replayed: string | undefined }>((resolve) => {
          const req = request(
            url,
            { method: "POST", agent, headers: { "content-type": "application/json", "idempotency-key": key } },
            (res) => {
              res.resume();
              res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, replayed: res.headers["idempotent-replayed"] as string }),
              );
            },
          );
          req.on("error", () => resolve({ status: 0, replayed: undefined }));
          req.end(body);
        });
      const viaNginx = `http://127.0.0.1:${nginxPort}/topics/orders`;
      const outcomes: Outcome[] = [];
      let loading = true;
      // Each client sends one order at a time with its own Idempotency-Key, and retries a 503 with the same key.
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (loading) {
          const key = randomUUID();
          const body = JSON.stringify(anOrder());
          const outcome: Outcome = { key, status: 0, attempts: 0, retried503: 0 };
          for (;;) {
            outcome.attempts++;
            const { status } = await post(viaNginx, key, body);
            outcome.status = status;
            if (status !== 503 || outcome.attempts >= 30) break;
            outcome.retried503++;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          outcomes.push(outcome);
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        }
      });

      // ------------------------------------------------------------------ rolling restarts
      const restarts: Array<{ name: string; exit: number | null; stopMs: number; readyMs: number }> = [];
      const restart = async (list: Proc[], index: number, env: Record<string, string>) => {
        const old = list[index] as Proc;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const t0 = performance.now();
        old.child.kill("SIGTERM");
        const exit = await old.exited;
        const t1 = performance.now();
        const next = launch(old.name as "producer" | "consumer", old.port, env, procs);
        list[index] = next;
        await ready(next);
        restarts.push({
          name: `${old.name} ${index + 1}`,
          exit,
          stopMs: Math.round(t1 - t0),
          readyMs: Math.round(performance.now() - t1),
        });
      };
      for (let i = 0; i < 3; i++) await restart(producers, i, producerEnv);
      for (let i = 0; i < 3; i++) await restart(consumers, i, consumerEnv);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

      // ------------------------------------------------------------------ same key through different instances
      const sameKey: Array<{ key: string; statuses: number[]; replayed: Array<string | undefined> }> = [];
      for (let i = 0; i < 30; i++) {
        const key = randomUUID();
        const body = JSON.stringify(anOrder());
        const answers = [];
        for (const port of [producerPorts[i % 3], producerPorts[(i + 1) % 3], nginxPort]) {
          answers.push(await post(`http://127.0.0.1:${port}/topics/orders`, key, body));
        }
        sameKey.push({ key, statuses: answers.map((a) => a.status), replayed: answers.map((a) => a.replayed) });
      }
      loading = false;
      await Promise.all(clients);

      // ------------------------------------------------------------------ what Kafka and the consumers have
      const acked = outcomes.filter((o) => o.status === 201);
      const expected = new Set([...acked.map((o) => o.key), ...sameKey.map((s) => s.key)]);
      const read = await readBack(bootstrapServers, ns.topic("orders"), {
        until: (r) => [...expected].every((id) => r.counts.has(id)),
        timeoutMs: 180_000,
      });
      const handled = () =>
        new Set(
          procs
            .filter((p) => p.name === "consumer")
            .flatMap((p) => p.logs.filter((l) => l.msg === "processed").map((l) => String(l.eventId))),
        );
      await eventually(
        () => ([...expected].every((id) => handled().has(id)) ? true : undefined),
        180_000,
        "every stored event handled",
      ).catch(() => undefined);
      const notHandled = [...expected].filter((id) => !handled().has(id));
      const failed = outcomes.filter((o) => o.status !== 201);
      const lost = [...expected].filter((id) => !read.counts.has(id));
      const doubled = [...read.counts.entries()].filter(([, n]) => n > 1);
      const figures = {
        acknowledged: expected.size,
        readBack: expected.size - lost.length,
        lost: lost.length,
        duplicated: doubled.length,
        requests: outcomes.length,
        failed: failed.length,
        retried503: outcomes.filter((o) => o.retried503 > 0).length,
        // 503s the draining producers answered, which nginx passed to the next producer (proxy_next_upstream).
        producer503sRetriedByNginx: procs
          .filter((p) => p.name === "producer")
          .flatMap((p) => p.logs)
          .filter((l) => l.status === 503).length,
        maxAttempts: Math.max(...outcomes.map((o) => o.attempts)),
        recordsInTopic: read.records.length,
        handled: expected.size - notHandled.length,
        sameKeyThroughThreeInstances: sameKey.length,
        restarts: JSON.stringify(restarts),
        finalStatuses: JSON.stringify(countBy(outcomes.map((o) => o.status))),
      };
      reportFigures("9. fleet: 3 producers behind nginx + 3 consumers, rolling SIGTERM restarts under load", figures);

      expect(restarts.map((r) => r.exit)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(failed).toEqual([]);
      expect(lost).toEqual([]);
      expect(doubled).toEqual([]);
      expect(read.records.length).toBe(expected.size);
      expect(notHandled).toEqual([]);
      for (const s of sameKey) {
        expect(s.statuses).toEqual([201, 201, 201]);
        expect(s.replayed).toEqual(["false", "true", "true"]);
      }
    } finally {
      await nginx.stop();
      await Promise.all(
        procs.map(async (p) => {
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
          const killer = setTimeout(() => p.child.kill("SIGKILL"), 30_000);
          await p.exited;
          clearTimeout(killer);
        }),
      );
    }
  });
});
