// The runtime's watchdog: a worker thread that can open an inspector session to
// the runtime's main thread, so an interrupt works whatever the main thread is
// doing, `while (true) {}` and `while (true) { await null }` included (the
// event loop is starved there, so no signal handler or message would run).
// The kernel asks by writing one byte to the runtime's fd 4. The main thread
// is asked first; if it has not answered within ASK_FIRST_MS it is busy: its
// child processes are interrupted, in case it waits for one, and if it still
// does not come back its JavaScript is terminated (Runtime.terminateExecution),
// which unwinds the cell's stack but keeps the context, its variables and its
// timers.
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
import { parentPort, workerData } from "node:worker_threads";
import { InterruptLedger } from "./interrupt-ledger.js";

export const INTERRUPT_FD = 4;
/** How long a main thread whose child processes were interrupted has to come back before its JavaScript is terminated. */
const CHILD_GRACE_MS = 300;

/** `at`: when the kernel's request arrived (Date.now()): a cell that started after it is not what was interrupted. */
export type FromWatchdog = { type: "interrupt"; seq: number; at: number } | { type: "terminated"; seq: number };

/**
 * SIGINT to the runtime's descendants (Linux: found through /proc), as a terminal's Ctrl-C reaches
 * a shell command's whole foreground group: `execSync("sleep 100")` waits for `sh`, which waits for
 * `sleep`. Not the process group: the kernel is in it, and takes a SIGINT for an interrupt request.
 */
function interruptChildren(descendants: readonly number[]): void {
  // Children before their parents: `sleep` ends first, and its `sh` finds it gone.
  for (const pid of [...descendants].reverse()) {
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
  const ledger = new InterruptLedger(workerData as SharedArrayBuffer);

  const terminate = (seq: number) => {
    const session = new Session();
    session.connectToMainThread();
    // Safe only while no async hooks are on in the runtime (output.ts says why).
    session.post("Runtime.terminateExecution", () => {
      session.disconnect();
      port.postMessage({ type: "terminated", seq } satisfies FromWatchdog);
    });
  };

  /**
   * The main thread did not answer: it runs JavaScript, or waits for a child process (execSync,
   * spawnSync) and runs none. The child gets the SIGINT a terminal's Ctrl-C would give it; if that
   * was what held the main thread, it comes back, and answers or claims the interrupt as its cell
   * ends (interrupt-ledger.ts); else its JavaScript is terminated.
   */
  const stopBusyThread = (seq: number, at: number) => {
    const descendants = processTree(process.pid).slice(1);
    if (descendants.length === 0) return terminate(seq);
    ledger.record(seq, at);
    interruptChildren(descendants);
    const givenUpAt = Date.now() + CHILD_GRACE_MS;
    const poll = setInterval(() => {
      const answered = ledger.answered(seq) || ledger.claimed(seq);
      if (!answered && Date.now() < givenUpAt) return;
      clearInterval(poll);
      if (!answered) terminate(seq);
    }, 5);
  };

  const pipe = new net.Socket({ fd: INTERRUPT_FD, readable: true, writable: false });
  pipe.on("data", (bytes: Buffer) => {
    for (let i = 0; i < bytes.length; i++) {
      const current = ++seq;
      const at = Date.now();
      port.postMessage({ type: "interrupt", seq: current, at } satisfies FromWatchdog);
      setTimeout(() => {
        if (ledger.giveUp(current)) stopBusyThread(current, at);
      }, ASK_FIRST_MS);
    }
  });
  // The kernel closed its end: the runtime is going away.
  pipe.on("end", () => process.exit(0));
  pipe.on("error", () => process.exit(0));
}
