// Setup file of the `unit` project: a unit test never opens a socket, resolves a name or starts
// a process. Each of those throws at once, so a test that reaches for a broker fails fast
// instead of hanging on a connect timeout.
import childProcess from "node:child_process";
import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

function refuse(what: string) {
  return () => {
    throw new Error(`unit tests must not ${what}: use the in-memory transport, or move the test to test/e2e`);
  };
}

net.Socket.prototype.connect = refuse("open a network connection") as never;
net.connect = refuse("open a network connection") as never;
net.createConnection = refuse("open a network connection") as never;
dns.lookup = refuse("resolve host names") as never;
for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const) {
  childProcess[name] = refuse("start a child process") as never;
}
globalThis.fetch = refuse("fetch over the network") as never;
// ESM named imports of builtins (`import { spawn } from "node:child_process"`) see the patches too.
syncBuiltinESMExports();
