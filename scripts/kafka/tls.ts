/** The optional SSL listener's material: a throwaway CA and one broker certificate, made with openssl. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Log, tlsPaths } from "./config.ts";

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const err: Buffer[] = [];
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) =>
      rej(new Error(`could not run openssl (${e.message}); it is needed for KAFKA_LAUNCHER_TLS`)),
    );
    child.on("close", (code) =>
      code === 0 ? res() : rej(new Error(`openssl ${args[0]} exited ${code}: ${Buffer.concat(err).toString()}`)),
    );
  });
}

/** A throwaway CA and one broker certificate for 127.0.0.1/localhost, made once per state dir. */
export async function ensureTlsFiles(log: Log): Promise<void> {
  const t = tlsPaths();
  if (existsSync(t.brokerPem) && existsSync(t.caCert)) return;
  await mkdir(t.dir, { recursive: true });
  log(`creating a self-signed CA and broker certificate in ${t.dir}`);
  const days = "3650";
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      days,
      "-subj",
      "/CN=kafka-pair launcher CA",
    ],
    t.dir,
  );
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=127.0.0.1"],
    t.dir,
  );
  await writeFile(join(t.dir, "broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      "broker.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "broker.crt",
      "-days",
      days,
      "-extfile",
      "broker.ext",
    ],
    t.dir,
  );
  // Kafka's PEM keystore wants an unencrypted PKCS#8 key followed by the certificate chain.
  await openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "broker.key", "-out", "broker.pk8"], t.dir);
  const pem = [await readFile(join(t.dir, "broker.pk8"), "utf8"), await readFile(join(t.dir, "broker.crt"), "utf8")];
  await writeFile(t.brokerPem, pem.join(""));
}
