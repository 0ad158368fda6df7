// The kernelspec (kernel.json at the package root is its template) and
// starting a kernel the way Jupyter does: a fresh connection file with free
// ports and a random key, then the kernelspec's argv with {connection_file}
// filled in. Installing, the notebook runner, the tests and the benchmark all
// start kernels through here.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConnectionInfo } from "./connection.js";
import { CA_CERTS_HANDOVER } from "./runtime-env.js";

/** The package's root folder: the nearest with a package.json (this file runs from kernel/ in tests, dist/kernel/ installed). */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: "message" | "signal";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/**
 * kernel.json with an absolute argv: this Node binary, its flags for the kernel process, and this
 * package's CLI. The kernel runs with a 1 MB young generation (`--max-semi-space-size=1`): it
 * routes messages and keeps little, and the default lets the young generation grow to 16 MB of
 * pages that each cost a fault to touch (measured: 10 MB less resident, round trips no slower).
 * The runtime child keeps V8's defaults: notebooks allocate what they like.
 *
 * Where there is a POSIX shell, the argv starts the kernel through it, without
 * NODE_EXTRA_CA_CERTS: Node 20 reads and parses that file and its own root certificates before it
 * runs any JavaScript (measured here: 50–60 ms of a 20 ms start), and the kernel process makes no
 * TLS connection. The value goes on in EPHEMERON_NODE_EXTRA_CA_CERTS to the runtime, which runs the
 * notebook's code and gets it back (runtime-supervisor.ts). `exec`: the kernel's pid is the one the
 * client launched.
 */
export function resolvedKernelSpec(overrides: { displayName?: string; extraArgs?: string[] } = {}): KernelSpec {
  const template = JSON.parse(readFileSync(join(PACKAGE_ROOT, "kernel.json"), "utf8")) as KernelSpec;
  const [, ...args] = template.argv;
  const cliAt = args.findIndex((arg) => !arg.startsWith("-"));
  const nodeFlags = args.slice(0, cliAt);
  const [cli, ...rest] = args.slice(cliAt);
  const node = [process.execPath, ...nodeFlags, join(PACKAGE_ROOT, cli!), ...rest, ...(overrides.extraArgs ?? [])];
  return {
    ...template,
    argv: existsSync(SHELL) ? [SHELL, "-c", WITHOUT_EXTRA_CA_CERTS, "ephemeron", ...node] : node,
    display_name: overrides.displayName ?? template.display_name,
  };
}

const SHELL = "/bin/sh";
const WITHOUT_EXTRA_CA_CERTS = `${CA_CERTS_HANDOVER}="\${NODE_EXTRA_CA_CERTS-}" NODE_EXTRA_CA_CERTS= exec "$@"`;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function newConnectionInfo(ip = "127.0.0.1"): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort(ip));
  const [shell_port, control_port, stdin_port, iopub_port, hb_port] = [...ports] as [number, number, number, number, number];
  return {
    transport: "tcp",
    ip,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    shell_port,
    control_port,
    stdin_port,
    iopub_port,
    hb_port,
    kernel_name: "ephemeron",
  };
}

export interface LaunchedKernel {
  process: ChildProcess;
  connection: ConnectionInfo;
  connectionFile: string;
  /** Everything the kernel wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the kernel has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the kernel if it still runs and removes its connection file. */
  dispose(): Promise<void>;
}

export interface LaunchOptions {
  spec?: KernelSpec;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  connection?: ConnectionInfo;
  /** Forward the kernel's stderr to ours as it comes (the runner does, with --verbose). */
  echoStderr?: boolean;
  /** In a session and process group of its own, as jupyter_client starts kernels (start_new_session). */
  newSession?: boolean;
}

export async function launchKernel(options: LaunchOptions = {}): Promise<LaunchedKernel> {
  const spec = options.spec ?? resolvedKernelSpec();
  const connection = options.connection ?? (await newConnectionInfo());
  const dir = mkdtempSync(join(tmpdir(), "ephemeron-kernel-"));
  const connectionFile = join(dir, "kernel.json");
  writeFileSync(connectionFile, JSON.stringify(connection), { mode: 0o600 });
  const argv = spec.argv.map((arg) => arg.replace("{connection_file}", connectionFile));
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...spec.env, ...options.env, JPY_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "inherit", "pipe"],
    detached: options.newSession === true,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    if (options.echoStderr) process.stderr.write(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    connection,
    connectionFile,
    stderr: () => stderr,
    exited,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
