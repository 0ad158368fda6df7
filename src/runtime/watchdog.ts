// The runtime's watchdog: a worker thread that can open an inspector session to
// the runtime's main thread, so an interrupt works whatever the main thread is
// doing, `while (true) {}` and `while (true) { await null }` included (the
// event loop is starved there, so no signal handler or message would run).
// The kernel asks by writing one byte to the runtime's fd 4. The main thread
// is asked first; if it has not answered within ASK_FIRST_MS it is busy, and
// its JavaScript is terminated (Runtime.terminateExecution), which unwinds the
// cell's stack but keeps the context, its variables and its timers.
//
// The session is opened for that termination only and closed after it: it
// reaches a busy main thread all the same (the inspector interrupts running
// JavaScript to serve it, 35 ms per interrupt either way), the runtime is
// 0.6 MB smaller without it, and an attached session makes the global console
// keep what it logs (the prototype notes).

import { processTree } from "./processes.js";
import { ASK_FIRST_MS } from "./protocol.js";
import { Session } from "node:inspector";
import net from "node:net";
import { parentPort } from "node:worker_threads";

export const INTERRUPT_FD = 4;

export type ToWatchdog = { type: "ack"; seq: number };
/** `at`: when the kernel's request arrived (Date.now()): a cell that started after it is not what was interrupted. */
export type FromWatchdog = { type: "interrupt"; seq: number; at: number } | { type: "terminated"; seq: number };

/**
 * SIGINT to the runtime's descendants (Linux: found through /proc), as a terminal's Ctrl-C reaches
 * a shell command's whole foreground group: `execSync("sleep 100")` waits for `sh`, which waits for
 * `sleep`. Not the process group: the kernel is in it, and takes a SIGINT for an interrupt request.
 */
function interruptChildren(): void {
  // Children before their parents: `sleep` ends first, and its `sh` finds it gone.
  for (const pid of processTree(process.pid).slice(1).reverse()) {
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // gone meanwhile
    }
  }
}

if (parentPort) {
  const port = parentPort;
  let seq = 0;
  const unanswered = new Map<number, NodeJS.Timeout>();

  port.on("message", (message: ToWatchdog) => {
    if (message.type !== "ack") return;
    clearTimeout(unanswered.get(message.seq));
    unanswered.delete(message.seq);
  });

  const pipe = new net.Socket({ fd: INTERRUPT_FD, readable: true, writable: false });
  pipe.on("data", (bytes: Buffer) => {
    for (let i = 0; i < bytes.length; i++) {
      const current = ++seq;
      port.postMessage({ type: "interrupt", seq: current, at: Date.now() } satisfies FromWatchdog);
      unanswered.set(
        current,
        setTimeout(() => {
          unanswered.delete(current);
          // Blocked in a child process it waits for (execSync, spawnSync), the main thread runs no
          // JavaScript to terminate: the child gets the SIGINT a terminal's Ctrl-C would give it.
          interruptChildren();
          const session = new Session();
          session.connectToMainThread();
          // Safe only while no async hooks are on in the runtime (output.ts says why).
          session.post("Runtime.terminateExecution", () => {
            session.disconnect();
            port.postMessage({ type: "terminated", seq: current } satisfies FromWatchdog);
          });
        }, ASK_FIRST_MS),
      );
    }
  });
  // The kernel closed its end: the runtime is going away.
  pipe.on("end", () => process.exit(0));
  pipe.on("error", () => process.exit(0));
}
