#!/usr/bin/env node
// The kernel process Jupyter launches from the kernelspec:
//   node dist/kernel/main.js -f CONNECTION_FILE [--no-typecheck]
// Reads the connection file, then loads the rest of the kernel (serve.ts),
// which binds the sockets so that kernel_info is answered at once, then starts
// the checker's warm-up and the runtime child, and loads the transform.

import { readConnectionFile, ConnectionFileError } from "./connection.js";
import { createLogger } from "./log.js";
import { UnknownSchemeError } from "./wire.js";

export interface KernelOptions {
  connectionFile: string;
  typecheck: boolean;
  runtimeFlags: string[];
  /** Positional arguments, which the kernel takes and ignores (see parseKernelArgs). */
  ignored?: string[];
}

const HELP = `usage: ephemeron kernel -f CONNECTION_FILE [--no-typecheck] [--runtime-flag=FLAG]...

Starts the kernel on the sockets a connection file names: what Jupyter runs from the
kernelspec ('ephemeron install' writes it), not a command to type.

  -f, --connection-file FILE  the connection file Jupyter wrote (ports, key, signature scheme)
  --no-typecheck              transpile cells without type checking (also EPHEMERON_TYPECHECK=off)
  --runtime-flag=FLAG         a Node flag for the runtime that runs the cells (repeatable)
  -h, --help                  this help
`;

/** A command line the kernel cannot start from: said in one line, exit 2. */
export class KernelUsageError extends Error {}

export function parseKernelArgs(args: string[]): KernelOptions | "help" {
  let connectionFile: string | undefined;
  let typecheck = process.env.EPHEMERON_TYPECHECK !== "off";
  const runtimeFlags: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "-f" || arg === "--connection-file") {
      connectionFile = args[++i];
      if (connectionFile === undefined || connectionFile === "") throw new KernelUsageError(`${arg} needs a value: the connection file`);
    } else if (arg.startsWith("--connection-file=")) connectionFile = arg.slice("--connection-file=".length);
    else if (arg === "--no-typecheck") typecheck = false;
    else if (arg.startsWith("--runtime-flag=")) runtimeFlags.push(arg.slice("--runtime-flag=".length));
    // jupyter_client's apps append what they do not take themselves to the kernel's command line:
    // `jupyter run --kernel ephemeron script.ts` starts it as `… -f FILE script.ts`, then sends the
    // file's code as a cell. ipykernel takes such arguments and ignores them; refused, the kernel
    // exited and `jupyter run` waited for it forever. An unknown option is still a mistake.
    else if (!arg.startsWith("-")) ignored.push(arg);
    else throw new KernelUsageError(`unknown argument '${arg}' (see ephemeron kernel --help)`);
  }
  if (!connectionFile) throw new KernelUsageError("missing -f CONNECTION_FILE (see ephemeron kernel --help)");
  return { connectionFile, typecheck, runtimeFlags, ignored };
}

export async function startKernel(options: KernelOptions): Promise<void> {
  keepServingWithoutLogReader();
  if (options.ignored?.length) createLogger("kernel").info(`ignored the arguments ${options.ignored.map((arg) => `'${arg}'`).join(" ")} (a client's extra arguments; the kernel takes none)`);
  const info = readConnectionFile(options.connectionFile);
  const { serve } = await import("./serve.js");
  await serve(options, info);
}

/**
 * The kernel's log is best effort: when the reader of its stderr goes away (a server whose output
 * went through a pipe that closed), a write fails with EPIPE, and with no listener that error would
 * end the kernel, and every variable of the session with it.
 */
function keepServingWithoutLogReader(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
}

/** Serves until the kernel exits (-1), or returns the exit code of a command line it cannot serve from. */
export async function main(args: string[]): Promise<number> {
  let options: KernelOptions | "help";
  try {
    options = parseKernelArgs(args);
  } catch (error) {
    if (!(error instanceof KernelUsageError)) throw error;
    process.stderr.write(`ephemeron kernel: ${error.message}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    await startKernel(options);
  } catch (error) {
    const known = error instanceof ConnectionFileError || error instanceof UnknownSchemeError;
    process.stderr.write(`ephemeron: ${known ? (error as Error).message : (error as Error).stack}\n`);
    process.exit(1);
  }
  return -1;
}
