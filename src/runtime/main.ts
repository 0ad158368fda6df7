// Entry point of the runtime child: the process that runs the notebook's code.
// Forked by the kernel with --expose-gc and an IPC channel; it never loads the
// TypeScript compiler, so the heap that gc() and refcount measure is the
// notebook's own.

import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { CELL_TOKEN_FUNCTION, END_OF_CELL, KEYBOARD_INTERRUPT, RESUMED_FUNCTION, type ExecuteCell, type FromRuntime, type ToRuntime, type TranspiledFile } from "./protocol.js";
import { OutputChannel, captureProcessStreams, cellScope, notebookTimers, shortTimers, type CellScope } from "./output.js";
import { createNotebookContext, define } from "./context.js";
import { installStackTraces } from "./traceback.js";
import { createDisplay } from "./display.js";
import { lookUpDisplayThrough } from "./format.js";
import { Evaluator, type CellOutcome } from "./evaluator.js";
import { InputRequests } from "./input.js";
import { CommManager } from "./comm.js";
import type { FromWatchdog } from "./watchdog.js";
import { InterruptLedger } from "./interrupt-ledger.js";
import { createLogger } from "../../kernel/log.js";
import { installMemoryApi } from "../memory/install.js";
import { importWithAttributes, loadTypeScriptWith, provideModule, typeScriptPath } from "./imports.js";
import { TypeScriptModules } from "./typescript-modules.js";
import { flushBeforeChildProcesses } from "./child-processes.js";
import { memberNames, stringForm } from "./members.js";
import { keepProcessListeners } from "./process-listeners.js";
import { installNotebookStdin } from "./stdin.js";

const log = createLogger("runtime");
/** The longest a cell waits, once its code is done, for the short timers it started (output.ts). */
const SETTLE_LIMIT_MS = 100;

function send(message: FromRuntime): void {
  if (process.connected) process.send?.(message);
}

const channel = new OutputChannel(send);
captureProcessStreams(channel);
/** Whether the notebook has started a child process: only then can a cell's output arrive on fds 1 and 2. */
let childProcessesStarted = false;
flushBeforeChildProcesses(() => {
  childProcessesStarted = true;
  channel.flush();
});
// Where the notebook is: the runtime starts there, and a cell may change the working directory later.
const notebookFolder = process.cwd();
const { context, global, startCell } = createNotebookContext(notebookFolder);
const { display, clearOutput } = createDisplay(channel);
const inputs = new InputRequests(channel, () => current?.stdin === false);
define(global, "display", display);
define(global, "clearOutput", clearOutput);
define(global, "input", inputs.ask);
// process.stdin reads ask the user too, a line per read (a client that takes no input: end of file),
// with the prompt the cell wrote to stdout just before (held back from the output while one may come).
channel.promptMayFollow = installNotebookStdin(inputs.askLine).mayAsk;
const comms = new CommManager(channel);
const comm = comms.api();
define(global, "comm", comm);
const memory = installMemoryApi(context, notebookTimers);
// `import { weakref, gc, display } from "ephemeron"` in a cell (or a TypeScript file beside the
// notebook): this notebook's own API, whatever a cell later declares under those names. A copy of
// the package installed beside the notebook would be another API, bound to another realm.
provideModule("ephemeron", { weakref: memory.weakref, gc: memory.gc, id: memory.id, display, clearOutput, input: inputs.ask, comm });
lookUpDisplayThrough((proxy) => proxy instanceof memory.weakref.ProxyType || proxy instanceof memory.weakref.CallableProxyType);
const evaluator = new Evaluator(context, channel, notebookFolder);

/**
 * Each cell's token, which an interrupt marks. The compiled cell takes its token when it starts and
 * checks it after each await of its own code (src/compile/transform.ts): an interrupted cell that
 * was waiting ends there, with KeyboardInterrupt, instead of going on when what it awaited settles.
 */
interface CellToken {
  interrupted: boolean;
}

/** A KeyboardInterrupt, as Python names it; made by the notebook's Error when a cell's `catch` is to see it. */
function keyboardInterrupt(message: string = KEYBOARD_INTERRUPT.evalue, ErrorType: ErrorConstructor = Error): Error {
  return Object.assign(new ErrorType(message), { name: "KeyboardInterrupt" });
}
// An async function entered while no cell runs (from a timer or a comm handler) is no cell's: an
// interrupt then stops the loop that runs, not the awaits of such functions.
define(global, CELL_TOKEN_FUNCTION, (): CellToken => current?.token ?? { interrupted: false });
define(global, RESUMED_FUNCTION, <T>(token: CellToken, value?: T): T | undefined => {
  if (token.interrupted) throw keyboardInterrupt(KEYBOARD_INTERRUPT.evalue, global.Error as ErrorConstructor);
  return value;
});
installStackTraces(global, evaluator.cells);

/** TypeScript files the notebook imports, compiled by the kernel: requests waiting for it. */
const transpiling = new Map<number, { resolve(file: TranspiledFile): void; reject(error: Error): void }>();
let nextTranspile = 0;
const typeScriptModules = new TypeScriptModules(context, {
  transpile: (path) =>
    new Promise<TranspiledFile>((resolve, reject) => {
      const requestId = nextTranspile++;
      transpiling.set(requestId, { resolve, reject });
      send({ type: "transpile", requestId, path });
    }),
  remember: (url, label, source, map) => evaluator.cells.add(url, label, source, map),
  typeScriptPath,
  importFrom: importWithAttributes,
});
loadTypeScriptWith(typeScriptModules.import);

// Errors that escape every cell must not end the notebook's session: Python
// prints them and goes on, and so do we, under the cell that caused them.
// A notebook that listens for them itself has handled them, as a Node program that does: its
// handler's output is the report.
const reportUnlessHandled = (event: "uncaughtException" | "unhandledRejection", kind: string) => (error: unknown) => {
  if (process.listenerCount(event) === 1) evaluator.reportUncaught(kind, error);
};
process.on("uncaughtException", reportUnlessHandled("uncaughtException", "Uncaught exception"));
process.on("unhandledRejection", reportUnlessHandled("unhandledRejection", "Unhandled promise rejection"));

/** The cell being run. Its reply may come from the cell itself or from an interrupt, whichever is first. */
let current: { id: string; finish: (outcome: CellOutcome) => void; token: CellToken; startedAt: number; sentAt: number; stdin?: boolean } | undefined;
/** When an interrupt last found no cell to stop and nothing busy: a cell the kernel had sent before it is stopped as it begins. */
let missedInterruptAt = -Infinity;
/** Comm messages whose handlers have not finished: an interrupt ends them when no cell runs. */
const commsAtWork = new Set<string>();
/** Cells waiting to run. Not a promise chain: a job stopped by Runtime.terminateExecution never settles its promise, and a chain would stall behind it. */
const waitingCells: ExecuteCell[] = [];
/**
 * When the latest cells started, and the scope that was current just before: the scope of a
 * timer's callback an interrupt stopped, when that cell's request was handled before the
 * interrupt's message was (both wait while the callback loops, and either may come first).
 */
const recentStarts: { at: number; scopeBefore: CellScope | undefined }[] = [];
let runningCell = false;

function enqueue(cell: ExecuteCell): void {
  waitingCells.push(cell);
  if (!runningCell) runNext();
}

function runNext(): void {
  startWatchdog();
  const cell = waitingCells.shift();
  runningCell = cell !== undefined;
  if (cell) void runCell(cell);
}

/**
 * END_OF_CELL on fds 1 and 2, behind whatever the cell's child processes wrote there (protocol.ts);
 * whether it was written. A pipe the kernel is slow to empty may refuse for a moment; the kernel
 * waits a while for the mark.
 */
function markEndOfCell(): boolean {
  if (!childProcessesStarted) return false;
  for (const fd of [1, 2]) {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        writeSync(fd, END_OF_CELL);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") break;
      }
    }
  }
  return true;
}

function runCell(cell: ExecuteCell): Promise<void> {
  return new Promise<void>((release) => {
    let finished = false;
    const startedAt = Date.now();
    const finish = (outcome: CellOutcome) => {
      if (finished) return;
      finished = true;
      // Its child was stopped by an interrupt, and it ended before the interrupt's message was read.
      if (ledger.claim(startedAt)) outcome = { error: KEYBOARD_INTERRUPT };
      shortTimers.stop();
      current = undefined;
      channel.running = undefined;
      const marked = markEndOfCell();
      try {
        channel.send({ type: "done", id: cell.id, ...outcome, marked });
      } catch (error) {
        // A result JSON cannot carry (a BigInt or a cycle in a display bundle): the cell must still end.
        const evalue = `the cell's result cannot be sent to the notebook: ${(error as Error).message}`;
        channel.send({ type: "done", id: cell.id, error: { ename: "TypeError", evalue, traceback: [`\u001b[0;31mTypeError\u001b[0m: ${evalue}`] } });
      }
      release();
      // The next cell starts from here, not from a `.then` on runCell: when the
      // watchdog terminates a synchronous cell, runCell itself never returns.
      queueMicrotask(runNext);
    };
    const token: CellToken = { interrupted: false };
    current = { id: cell.id, finish, token, startedAt, sentAt: cell.sentAt, stdin: cell.stdin };
    recentStarts.push({ at: current.startedAt, scopeBefore: cellScope.getStore() });
    if (recentStarts.length > 8) recentStarts.shift();
    // Interrupted on its way here (the interrupt came to the main thread before the cell did): it never starts.
    if (missedInterruptAt >= cell.sentAt) {
      missedInterruptAt = -Infinity;
      finish({ error: KEYBOARD_INTERRUPT });
      return;
    }
    // If the watchdog terminates this cell's JavaScript, this call's stack is
    // gone with it, and `finish` is called by the interrupt instead.
    shortTimers.start();
    startCell();
    const running = evaluator.run(cell);
    running.then(
      async (outcome) => {
        await shortTimers.settle(SETTLE_LIMIT_MS);
        // Objects a collection inside the cell freed (gc.heap() collects first): their callbacks are the cell's output.
        await memory.settle(SETTLE_LIMIT_MS);
        finish(outcome);
      },
      (error: Error) => finish({ error: { ename: "InternalError", evalue: error.message, traceback: [] } }),
    );
  });
}

/**
 * The kernel asked, at `at`, to stop what runs; whether a cell or a comm handler was ended. The
 * running cell ends with KeyboardInterrupt (one that started after the request is left alone: the
 * request was about what held the runtime up, a timer's loop the watchdog stopped). With no cell
 * running, comm handlers still at work end the same way.
 *
 * The kernel sends a cell and an interrupt on different channels, so the interrupt may come first
 * while this thread is free (`free`: it answered before the watchdog gave up, and nothing was stopped).
 * Then the interrupt is the cell's, the one the kernel sent before it: it ends if it has begun, and
 * else never starts.
 */
function interrupt(at: number, free: boolean): boolean {
  inputs.cancelAll(keyboardInterrupt());
  if (current && (current.startedAt <= at || (free && current.sentAt <= at))) {
    current.token.interrupted = true;
    current.finish({ error: KEYBOARD_INTERRUPT });
    return true;
  }
  if (!current && free) missedInterruptAt = at;
  const handlers = [...commsAtWork];
  for (const id of handlers) {
    commsAtWork.delete(id);
    const stopped = keyboardInterrupt("the comm handler was interrupted");
    cellScope.within({ id }, () => evaluator.reportUncaught("Interrupted", stopped));
    channel.send({ type: "comm_done", id, error: "KeyboardInterrupt" });
  }
  return handlers.length > 0;
}

/**
 * The interrupt worker, started with the first cell rather than with the runtime: its ~60 ms of
 * CPU would compete with the kernel's type checker warming up on two cores. Every hang is code a
 * cell ran, so it is up before anything needs interrupting; an interrupt sent while it boots
 * waits in its pipe.
 */
let watchdog: Worker | undefined;
const ledger = new InterruptLedger();
function startWatchdog(): void {
  if (watchdog) return;
  // A ceiling on its old generation, far above the ~5 MB it uses (a pipe, a timer, a short-lived
  // inspector session, /proc reads): with the default one (sized from the machine's memory) the
  // runtime measured 0.7 MB more resident after its first cell, all of it pages of Node's binary
  // (the worker's heap is the same size either way).
  const worker = new Worker(new URL("./watchdog.js", import.meta.url), { workerData: ledger.buffer, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  watchdog = worker;
  worker.unref();
  /**
   * An interrupt that ended no cell and no comm handler, with the scope it found (the cell whose
   * timer was running): if its "terminated" follows, what was stopped was that callback.
   */
  let unclaimed: { seq: number; scope: CellScope | undefined } | undefined;
  worker.on("message", (message: FromWatchdog) => {
    // Answered in time, the interrupt stopped nothing (the watchdog leaves this thread alone).
    const free = message.type === "interrupt" && ledger.answer(message.seq);
    // Unless the cell whose child it stopped has claimed it as it ended: nothing more is to be stopped.
    if (message.type === "interrupt" && !ledger.claimed(message.seq)) {
      const startedSince = recentStarts.find((start) => start.at > message.at);
      const scope = startedSince ? startedSince.scopeBefore : cellScope.getStore();
      unclaimed = interrupt(message.at, free) ? undefined : { seq: message.seq, scope };
    }
    // "terminated" comes after the "interrupt" of its seq, which this now free thread has handled:
    // the main thread was busy and its JavaScript was stopped. If that was no cell's and no comm's
    // (a timer's endless loop), it is reported under the cell that started it, as Python reports a
    // KeyboardInterrupt in a callback (a cell that started meanwhile is not blamed).
    // What was stopped may have been a weak callback gc() was running, or gc.refcount's walk.
    if (message.type === "terminated") memory.recoverFromTermination();
    if (message.type === "terminated" && unclaimed?.seq === message.seq) {
      const { scope } = unclaimed;
      unclaimed = undefined;
      cellScope.within(scope, () => evaluator.reportUncaught("Interrupted", keyboardInterrupt("JavaScript that a timer or a callback was running was stopped")));
    }
  });
  worker.on("error", (error) => log.error(`watchdog failed: ${error.message}`));
}

process.on("message", (message: ToRuntime) => {
  switch (message.type) {
    case "execute":
      enqueue(message);
      break;
    case "comm":
      commsAtWork.add(message.id);
      comms.receive(message, (error) => evaluator.reportUncaught(`Error in a comm handler (${message.msgType})`, error)).then(
        () => commsAtWork.delete(message.id) && channel.send({ type: "comm_done", id: message.id }),
        (error: Error) => commsAtWork.delete(message.id) && channel.send({ type: "comm_done", id: message.id, error: error.message }),
      );
      break;
    case "input_reply":
      inputs.answer(message.requestId, message.value);
      break;
    case "transpiled": {
      const waiting = transpiling.get(message.requestId);
      transpiling.delete(message.requestId);
      if (message.file) waiting?.resolve(message.file);
      else waiting?.reject(Object.assign(new Error(message.error?.message ?? "the kernel could not compile the file"), { name: message.error?.name ?? "Error" }));
      break;
    }
    case "input_cancelled":
      inputs.cancel(message.requestId, message.reason);
      break;
    case "members":
      send({ type: "members", requestId: message.requestId, members: memberNames(global, message.path) });
      break;
    case "string_form":
      send({ type: "string_form", requestId: message.requestId, text: stringForm(global, message.path) });
      break;
    case "shutdown":
      // CPython runs finalize(..., atexit=True) callbacks at interpreter exit; so does a shutdown or restart here.
      memory.runAtexit();
      channel.flush();
      process.exit(0);
  }
});

// The kernel is gone (killed, crashed): nothing may outlive it.
process.on("disconnect", () => process.exit(0));
// A client in signal mode sends SIGINT to the kernel's whole process group; the
// kernel forwards it through the watchdog's pipe, so here it must not kill us.
process.on("SIGINT", () => undefined);
// From here on, a cell's process.removeAllListeners() leaves these (and Node's own) in place.
keepProcessListeners();

send({ type: "ready", pid: process.pid });
log.debug(`runtime ${process.pid} ready in ${process.cwd()}`);
