// The kernel: the sockets, the dispatcher and its handlers, and once
// kernel_info can be answered, in the background, the checker's warm-up, the
// runtime child and the transform.

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
