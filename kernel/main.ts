#!/usr/bin/env node
// The kernel process Jupyter launches from the kernelspec:
//   node dist/kernel/main.js -f CONNECTION_FILE [--no-typecheck]
// Starts the TypeScript checker's warm-up, then loads the rest of the kernel
// (serve.ts), which binds the sockets so that kernel_info is answered at once,
// then starts the runtime child and loads the transform.

import { readConnectionFile, ConnectionFileError } from "./connection.js";
import { UnknownSchemeError } from "./wire.js";
import { SessionCompiler } from "../src/compile/session-compiler.js";

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
  // The checker's warm-up (tsgo loading the libraries and @types/node) is the long pole of the
  // first cell: tsgo is spawned and told to open the project before the rest of the kernel has
  // loaded, and loads while this thread binds the sockets. The runtime child starts once they answer: started now too, it slows
  // kernel_info down on two cores (measured: 240 → 450 ms) without bringing the first cell forward.
  const compiler = new SessionCompiler({ typecheck: options.typecheck });
  compiler.startChecker();
  const { serve } = await import("./serve.js");
  await serve(options, info, compiler);
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
