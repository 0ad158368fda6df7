// The kernel: the sockets, the dispatcher and its handlers, and once
// kernel_info can be answered, in the background, the checker's warm-up, the
// runtime child and the transform.

import { readFileSync } from "node:fs";
import type { ConnectionInfo } from "./connection.js";
import { Session } from "./wire.js";
import { Dispatcher } from "./dispatcher.js";
import { ZmqTransport } from "./sockets.js";
import { RuntimeSupervisor } from "./runtime-supervisor.js";
import { Executor } from "./execute.js";
import { createHandlers } from "./kernel.js";
import { History } from "./history.js";
import { HistoryFile } from "./history-file.js";
import { commHandlers } from "./comms.js";
import { createLogger } from "./log.js";
import { withLiveMembers } from "./live-members.js";
import { SessionCompiler } from "../src/compile/session-compiler.js";
import type { KernelOptions } from "./main.js";

const log = createLogger("kernel");

/** Binds the sockets and serves. */
export async function serve(options: KernelOptions, info: ConnectionInfo): Promise<void> {
  const session = new Session(info.key, info.signature_scheme);
  const compiler = new SessionCompiler({ typecheck: options.typecheck });
  const transport = await ZmqTransport.bind(info);
  // The checker's warm-up (tsgo loading the libraries and @types/node) is the long pole of the
  // first cell, so it starts first; its modules load, and tsgo is spawned, once the sockets are
  // bound: before, they held kernel_info back by 25 ms without bringing the first cell forward
  // (and so does the runtime child: 240 → 450 ms on two cores, when it started before binding).
  compiler.startChecker();
  const runtime = new RuntimeSupervisor({
    cwd: process.cwd(),
    nodeFlags: options.runtimeFlags,
    transpile: (path) => compiler.transpileFile(path),
    // The checker must forget the cells too: a later cell using their names would pass, then fail.
    lost: () => compiler.forgetCells(),
  });
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
      language: withLiveMembers(compiler, runtime),
      history: new History(HistoryFile.default()),
      exit: () => void exit(0),
      interrupt: executor.interrupt,
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
  process.on("SIGINT", () => void executor.interrupt());
  process.on("exit", () => runtime.kill());
  watchParent(() => void exit(0));
}

/**
 * Exits when the process that launched the kernel is gone, as ipykernel's parent poller does: when
 * the kernel has been reparented (its launcher died, even if nobody has reaped it yet, when its pid
 * still answers as a zombie), or when the launcher's pid no longer exists.
 */
function watchParent(onGone: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID ?? process.ppid);
  if (!Number.isInteger(parent) || parent <= 1) return;
  const launchedBy = currentParent();
  setInterval(() => {
    const now = currentParent();
    let gone = launchedBy !== undefined && now !== undefined && now !== launchedBy;
    if (!gone) {
      try {
        process.kill(parent, 0);
      } catch {
        gone = true;
      }
    }
    if (gone) {
      log.warn(`parent process ${parent} is gone; exiting`);
      onGone();
    }
  }, 1000).unref();
}

/** The kernel's parent pid as it is now (Node's process.ppid is read once, at start-up); undefined where /proc cannot tell. */
function currentParent(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
