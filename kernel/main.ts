#!/usr/bin/env node
// The kernel process Jupyter launches from the kernelspec:
//   node dist/kernel/main.js -f CONNECTION_FILE [--no-typecheck]
// Starts the TypeScript checker's warm-up, binds the sockets so that
// kernel_info is answered at once, then starts the runtime child and loads the
// transform.

import { readConnectionFile, ConnectionFileError } from "./connection.js";
import { Session, UnknownSchemeError } from "./wire.js";
import { Dispatcher } from "./dispatcher.js";
import { RuntimeSupervisor } from "./runtime-supervisor.js";
import { Executor } from "./execute.js";
import { createHandlers } from "./kernel.js";
import { History } from "./history.js";
import { HistoryFile } from "./history-file.js";
import { commHandlers } from "./comms.js";
import { createLogger } from "./log.js";
import { SessionCompiler } from "../src/compile/session-compiler.js";

const log = createLogger("kernel");

export interface KernelOptions {
  connectionFile: string;
  typecheck: boolean;
  runtimeFlags: string[];
}

export function parseKernelArgs(args: string[]): KernelOptions {
  let connectionFile: string | undefined;
  let typecheck = process.env.EPHEMERON_TYPECHECK !== "off";
  const runtimeFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-f" || arg === "--connection-file") connectionFile = args[++i];
    else if (arg.startsWith("--connection-file=")) connectionFile = arg.slice("--connection-file=".length);
    else if (arg === "--no-typecheck") typecheck = false;
    else if (arg.startsWith("--runtime-flag=")) runtimeFlags.push(arg.slice("--runtime-flag=".length));
    else throw new Error(`unknown argument '${arg}'`);
  }
  if (!connectionFile) throw new Error("missing -f CONNECTION_FILE");
  return { connectionFile, typecheck, runtimeFlags };
}

export async function startKernel(options: KernelOptions): Promise<void> {
  const info = readConnectionFile(options.connectionFile);
  const session = new Session(info.key, info.signature_scheme);
  const compiler = new SessionCompiler({ typecheck: options.typecheck });
  // The checker's warm-up (a worker thread, then tsgo loading the libraries) is the long pole of
  // the first cell: it starts before anything else and runs while this thread binds the sockets.
  // The runtime child starts once they answer: started now too, it slows kernel_info down on two
  // cores (measured: 240 → 450 ms) without bringing the first cell forward.
  compiler.startChecker();
  const { ZmqTransport } = await import("./sockets.js");
  const transport = await ZmqTransport.bind(info);
  const runtime = new RuntimeSupervisor({ cwd: process.cwd(), nodeFlags: options.runtimeFlags, transpile: (path) => compiler.transpileFile(path) });
  const executor = new Executor(runtime, compiler);

  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await runtime.stop().catch(() => runtime.kill());
    await compiler.dispose().catch(() => undefined);
    await transport.close().catch(() => undefined);
    process.exit(code);
  };
  const dispatcher = new Dispatcher(
    session,
    transport,
    createHandlers({
      executor,
      language: compiler,
      history: new History(HistoryFile.default()),
      exit: () => void exit(0),
      interrupt: () => runtime.interrupt(),
      comms: commHandlers(runtime),
    }),
  );
  dispatcher.start();
  log.info(`listening on ${info.transport}://${info.ip} (pid ${process.pid})`);

  // After the sockets answer: the runtime and the transform, in the background.
  setImmediate(() => {
    runtime.start().catch((error: Error) => log.error(`runtime did not start: ${error.message}`));
    compiler.preload();
  });

  process.on("SIGTERM", () => void exit(0));
  process.on("SIGHUP", () => void exit(0));
  // A kernelspec in signal mode interrupts with SIGINT; it must never kill us.
  process.on("SIGINT", () => void runtime.interrupt());
  process.on("exit", () => runtime.kill());
  watchParent(() => void exit(0));
}

/** Exits when the process that launched the kernel is gone, as ipykernel's parent poller does. */
function watchParent(onGone: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID ?? process.ppid);
  if (!Number.isInteger(parent) || parent <= 1) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      log.warn(`parent process ${parent} is gone; exiting`);
      onGone();
    }
  }, 1000).unref();
}

export async function main(args: string[]): Promise<void> {
  try {
    await startKernel(parseKernelArgs(args));
  } catch (error) {
    const known = error instanceof ConnectionFileError || error instanceof UnknownSchemeError;
    process.stderr.write(`ephemeron: ${known ? (error as Error).message : (error as Error).stack}\n`);
    process.exit(1);
  }
}
