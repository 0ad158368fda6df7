// Starts the runtime child, hands it cells, routes what it sends back to the
// cell it belongs to, and replaces it when it dies. A cell that exits the
// process, exhausts memory or crashes natively gets an error that says so,
// with the exit code or signal, and the next cell runs in a fresh runtime.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { DisplayDataContent, ErrorContent } from "./messages.js";
import type { Member } from "../src/runtime/members.js";
import type { CellResult, CommIncoming, CommOutgoing, ExecuteCell, FromRuntime, ToRuntime, TranspiledFile } from "../src/runtime/protocol.js";
import { createLogger } from "./log.js";
import { RawOutput } from "./raw-output.js";
import { runtimeEnv } from "./runtime-env.js";
import { processTree, readStat } from "../src/runtime/processes.js";

const log = createLogger("supervisor");
const RUNTIME_MAIN = fileURLToPath(new URL("../src/runtime/main.js", import.meta.url));
/** What a dying runtime last wrote to stderr (V8's "heap out of memory", a native abort), for the cell's error. */
const STDERR_TAIL_CHARS = 2000;
/** Output of finished cells (timers they started) still goes to them; this many are remembered. */
const REMEMBERED_CELLS = 500;
/** How long a finished cell waits for the end-of-cell mark on the runtime's stdout and stderr (raw-output.ts). */
const END_MARK_WAIT_MS = 2000;
/**
 * Lines on the runtime's stderr that are the runtime's own, for the kernel's log: its log lines,
 * Node's notice when a worker's inspector session closes, and V8's report of a fatal error (out of
 * memory), which the cell's RuntimeDied error quotes.
 */
const RUNTIME_OWN_LINE = /^\[ephemeron /;
/**
 * Node says this at exit while a worker holds an inspector session (the heap probe's, or the
 * watchdog's during an interrupt): noise, not news, for neither the notebook nor the log.
 */
const DEBUGGER_NOTICE = "Waiting for the debugger to disconnect...\n";
const FATAL_REPORT = /^(?:<--- Last few GCs --->|FATAL ERROR: |#\s*Fatal error|----- Native stack trace -----)/;

export interface OutputSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(content: DisplayDataContent, update: boolean): void;
  clearOutput(wait: boolean): void;
  /** Asks the user; rejects with the reason when this request cannot take input. */
  input(prompt: string, password: boolean): Promise<string>;
  /** comm_open / comm_msg / comm_close from the notebook's code, for IOPub. */
  comm?(msgType: CommOutgoing["msgType"], content: CommOutgoing["content"], buffers: Buffer[]): void;
}

export interface RunOutcome {
  result?: CellResult;
  error?: ErrorContent;
}

export interface SupervisorOptions {
  cwd: string;
  /** Extra node flags for the runtime (a test starts it with a small heap). */
  nodeFlags?: string[];
  /** Compiles a TypeScript file the notebook imports (the runtime loads no compiler). */
  transpile?: (path: string) => Promise<TranspiledFile>;
  /** The runtime went away unasked (a cell's process.exit, a crash, out of memory): every variable with it. */
  lost?: () => void;
}

/** How long a question about the notebook's live values waits for the runtime (a running cell keeps it from answering). */
export const LIVE_ANSWER_MS = 300;

type LiveQuestion = Omit<Extract<ToRuntime, { type: "members" | "string_form" }>, "requestId">;
type LiveAnswer = Extract<FromRuntime, { type: "members" | "string_form" }>;

interface Running {
  id: string;
  resolve: (outcome: RunOutcome) => void;
}

export class RuntimeSupervisor {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly sinks = new Map<string, OutputSink>();
  private running: Running | undefined;
  /** Open comms by comm_id → target_name, both directions (comm_info_request). */
  readonly comms = new Map<string, string>();
  private readonly commDeliveries = new Map<string, (error: string | undefined) => void>();
  private readonly liveRequests = new Map<number, (answer: LiveAnswer) => void>();
  private nextLiveRequest = 0;
  private stderrTail = "";
  private stopping = false;
  /** Whether this runtime has been given a cell (its watchdog starts with the first). */
  private ranCell = false;
  /** The label of the last cell this supervisor ran ("Cell In[3]"), whatever runtime ran it. */
  private lastLabel: string | undefined;
  /** What to tell the next cell: the runtime ended while no cell ran (a timer's process.exit, out of memory in a task). */
  private lostBetweenCells: string | undefined;
  /** The runtime's fds 1 and 2, and how many end-of-cell marks it has said it wrote to both. */
  private raw: { stdout: RawOutput; stderr: RawOutput; marks: number } | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts a runtime unless one is running; resolves when it is ready for cells. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(RUNTIME_MAIN, [], {
      cwd: this.options.cwd,
      env: runtimeEnv(),
      // --experimental-vm-modules: the only way, on Node 20, for a cell's own `import()` to work
      // (vm.Script's importModuleDynamically); its warning would land in the user's output.
      // --no-concurrent-recompilation: a background compile thread holds what it compiled against
      // until it has torn down its heap, after it reports done; an object the notebook just dropped
      // could outlive `await gc()` (src/memory/gc.ts). Optimizing on the main thread has no such window.
      // --no-force-async-hooks-checks: an interrupt that terminates JavaScript inside a timer's or
      // an event's callback leaves Node's async context stack unbalanced, and Node's check then
      // aborts the whole runtime ("async hook stack has become corrupted"). The runtime turns no
      // async hooks on (output.ts), so nothing reads that stack.
      execArgv: ["--expose-gc", "--no-concurrent-recompilation", "--no-force-async-hooks-checks", "--experimental-vm-modules", "--disable-warning=ExperimentalWarning", ...(this.options.nodeFlags ?? [])],
      // JSON, not "advanced": see src/runtime/protocol.ts.
      serialization: "json",
      // fd 4: the interrupt pipe the runtime's watchdog reads (src/runtime/watchdog.ts).
      stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"],
    });
    this.child = child;
    // A runtime that exits with an interrupt byte unread in fd 4 (a client that interrupts before
    // it shuts down, as jupyter_client does) resets that pipe under the kernel's read: a stream
    // error with no listener would end the kernel. Whatever a pipe's error, the exit says the rest.
    for (const stream of child.stdio) stream?.on("error", (error: Error) => log.debug(`runtime ${child.pid} pipe: ${error.message}`));
    this.ranCell = false;
    this.stderrTail = "";
    let dying = false;
    const raw = {
      stdout: new RawOutput({ show: (text) => this.rawOutput("stdout", text) }),
      stderr: new RawOutput({
        show: (text) => this.rawOutput("stderr", text),
        isOwn: (line) => (dying ||= FATAL_REPORT.test(line)) || RUNTIME_OWN_LINE.test(line) || line === DEBUGGER_NOTICE,
        aside: (line) => {
          if (line === DEBUGGER_NOTICE) return;
          // V8's fatal report (30 lines of native stack on out of memory) would land in the terminal of
          // a `jupyter console` or `jupyter run` user, who launched the kernel; the cell's RuntimeDied
          // error says what it means. The report stays available at EPHEMERON_LOG=debug.
          if (dying) log.debug(`runtime ${child.pid}: ${line.trimEnd()}`);
          else process.stderr.write(line);
        },
      }),
      marks: 0,
    };
    this.raw = raw;
    child.stdout?.on("data", (chunk: Buffer) => raw.stdout.write(chunk));
    child.stdout?.on("end", () => raw.stdout.end());
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8").replaceAll(DEBUGGER_NOTICE, "")).slice(-STDERR_TAIL_CHARS);
      raw.stderr.write(chunk);
    });
    child.stderr?.on("end", () => raw.stderr.end());
    let wasReady = false;
    this.ready = new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.on("message", (message: FromRuntime) => {
        if (message.type === "ready") {
          wasReady = true;
          resolve();
        } else this.route(message);
      });
      child.once("exit", (code, signal) => {
        reject(new Error(`runtime exited before it was ready (${describeExit(code, signal)})`));
        // "exit" can come before the last of stderr (V8's "heap out of memory"):
        // report once stderr has closed, or after a second if something holds it open.
        const stderr = child.stderr;
        if (!stderr || stderr.closed) return this.onExit(child, code, signal, wasReady);
        const timer = setTimeout(() => this.onExit(child, code, signal, wasReady), 1000);
        stderr.once("close", () => {
          clearTimeout(timer);
          this.onExit(child, code, signal, wasReady);
        });
      });
    });
    return this.ready;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async execute(cell: Omit<ExecuteCell, "type" | "sentAt">, sink: OutputSink): Promise<RunOutcome> {
    await this.start();
    this.ranCell = true;
    this.lastLabel = cell.label;
    this.remember(cell.id, sink);
    return new Promise<RunOutcome>((resolve) => {
      this.running = { id: cell.id, resolve };
      this.post({ type: "execute", ...cell, sentAt: Date.now() });
    });
  }

  /** Hands a frontend's comm message to the runtime; resolves once its handlers ran (with their error, if any). */
  async deliverComm(message: Omit<CommIncoming, "type" | "buffers"> & { buffers: Buffer[] }, sink: OutputSink): Promise<string | undefined> {
    const content = message.content as { comm_id?: unknown; target_name?: unknown };
    if (message.msgType === "comm_open") this.comms.set(String(content.comm_id), String(content.target_name));
    if (message.msgType === "comm_close") this.comms.delete(String(content.comm_id));
    await this.start();
    this.remember(message.id, sink);
    return new Promise<string | undefined>((resolve) => {
      this.commDeliveries.set(message.id, resolve);
      this.post({ type: "comm", ...message, buffers: message.buffers.map((bytes) => bytes.toString("base64")) });
    });
  }

  /**
   * The names that can follow a dot on the live value at `path` (`["dyn"]` for `dyn.`), or none when
   * the runtime is not running or does not answer within `timeoutMs` (a cell keeps it busy).
   */
  members(path: string[], timeoutMs = LIVE_ANSWER_MS): Promise<Member[]> {
    return this.ask({ type: "members", path }, timeoutMs, [], (answer) => (answer.type === "members" ? answer.members : []));
  }

  /** How the live value at `path` prints, for `x?` help; undefined as `members` gives none. */
  stringForm(path: string[], timeoutMs = LIVE_ANSWER_MS): Promise<string | undefined> {
    return this.ask({ type: "string_form", path }, timeoutMs, undefined, (answer) => (answer.type === "string_form" ? answer.text : undefined));
  }

  /** A question about the notebook's live values, answered between cells: `fallback` when no runtime runs or it is busy past `timeoutMs`. */
  private ask<T>(question: LiveQuestion, timeoutMs: number, fallback: T, read: (answer: LiveAnswer) => T): Promise<T> {
    if (!this.child?.connected) return Promise.resolve(fallback);
    const requestId = this.nextLiveRequest++;
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        this.liveRequests.delete(requestId);
        resolve(fallback);
      }, timeoutMs);
      this.liveRequests.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(read(answer));
      });
      this.post({ ...question, requestId });
    });
  }

  /**
   * Once, for the next cell: that the runtime ended while no cell ran, and the session's variables with it.
   * Said to the next cell, not when it happens: nbclient and JupyterLab show nothing that comes after a cell's idle.
   */
  takeLossNotice(): string | undefined {
    const notice = this.lostBetweenCells;
    this.lostBetweenCells = undefined;
    return notice;
  }

  /**
   * Interrupts the running cell, whatever it is doing; variables defined before it stay. With no cell
   * running, the runtime is asked all the same: a comm handler or a timer's callback may be stuck.
   */
  async interrupt(): Promise<void> {
    // Before its first cell this runtime runs nothing a cell started (and its watchdog, which reads
    // the pipe, starts with that cell: a byte left there would stop it).
    if (!this.running && !this.ranCell) return;
    const pipe = this.child?.stdio[4];
    if (pipe && "write" in pipe) pipe.write(Buffer.of(1));
  }

  /**
   * Runs the runtime's atexit work, then ends it; the next cell starts a fresh one. The child
   * processes its cells left (a `sleep` that ignores Ctrl-C) end with it, as Jupyter ends a
   * kernel's process group.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    const descendants = identified(processTree(child.pid ?? 0).slice(1));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.post({ type: "shutdown" });
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
    killAll(descendants);
    this.stopping = false;
  }

  /** Ends the runtime and its child processes at once: for a kernel that is being killed. */
  kill(): void {
    const descendants = this.child?.pid === undefined ? [] : identified(processTree(this.child.pid).slice(1));
    this.child?.kill("SIGKILL");
    killAll(descendants);
  }

  private async transpile(requestId: number, path: string): Promise<void> {
    try {
      if (!this.options.transpile) throw new Error(`cannot import ${path}: this kernel compiles no TypeScript files`);
      this.post({ type: "transpiled", requestId, file: await this.options.transpile(path) });
    } catch (error) {
      const { name, message } = error as Error;
      this.post({ type: "transpiled", requestId, error: { name, message } });
    }
  }

  private post(message: ToRuntime): void {
    if (this.child?.connected) this.child.send(message);
  }

  /**
   * Output written to the runtime's fds: under the running cell, else the cell that ran last (a
   * child process a cell left running), as ipykernel shows it under the last request.
   */
  private rawOutput(name: "stdout" | "stderr", text: string): void {
    const sink = this.currentSink();
    if (sink) sink.stream(name, text);
    else process.stderr.write(text);
  }

  /** The running cell's sink, else the last one remembered (the cell that ran last). */
  private currentSink(): OutputSink | undefined {
    return this.sinks.get(this.running?.id ?? [...this.sinks.keys()].at(-1) ?? "");
  }

  private remember(id: string, sink: OutputSink): void {
    this.sinks.set(id, sink);
    if (this.sinks.size > REMEMBERED_CELLS) {
      const oldest = this.sinks.keys().next().value;
      if (oldest !== undefined) this.sinks.delete(oldest);
    }
  }

  private route(message: FromRuntime): void {
    if (message.type === "ready") return;
    if (message.type === "transpile") return void this.transpile(message.requestId, message.path);
    if (message.type === "members" || message.type === "string_form") {
      this.liveRequests.get(message.requestId)?.(message);
      this.liveRequests.delete(message.requestId);
      return;
    }
    const sink = this.sinks.get(message.id);
    switch (message.type) {
      case "stream":
        sink?.stream(message.name, message.text);
        break;
      case "display":
        sink?.display(message.content, message.update);
        break;
      case "clear_output":
        sink?.clearOutput(message.wait);
        break;
      case "input_request": {
        // Only the running cell may ask: a timer of a cell that has ended would take the answer the
        // next cell's question is given (jupyter console answers with no parent header).
        const asker = this.running?.id === message.id ? sink : undefined;
        const answer = asker
          ? asker.input(message.prompt, message.password)
          : Promise.reject(new Error(sink ? "input() was called after its cell had ended: only a running cell can ask" : "no client to ask"));
        answer.then(
          (value) => this.post({ type: "input_reply", requestId: message.requestId, value }),
          (error: Error) => this.post({ type: "input_cancelled", requestId: message.requestId, reason: error.message }),
        );
        break;
      }
      case "comm": {
        const commId = message.content.comm_id;
        if (message.msgType === "comm_open") this.comms.set(commId, String(message.content.target_name));
        if (message.msgType === "comm_close") this.comms.delete(commId);
        sink?.comm?.(message.msgType, message.content, message.buffers.map((base64) => Buffer.from(base64, "base64")));
        break;
      }
      case "comm_done":
        this.commDeliveries.get(message.id)?.(message.error);
        this.commDeliveries.delete(message.id);
        break;
      case "done": {
        const running = this.running;
        if (running?.id !== message.id) break;
        // The cell ends once what it (or a child process of its) wrote to fds 1 and 2 has been shown.
        const raw = message.marked ? this.raw : undefined;
        const marks = raw ? ++raw.marks : 0;
        const shown = raw ? Promise.all([raw.stdout.reached(marks, END_MARK_WAIT_MS), raw.stderr.reached(marks, END_MARK_WAIT_MS)]) : Promise.resolve();
        void shown.then(() => {
          if (this.running !== running) return;
          this.running = undefined;
          running.resolve({ result: message.result, error: message.error });
        });
        break;
      }
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, wasReady: boolean): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.ready = undefined;
    // The runtime's comms died with it: the frontend is told (under the cell that was running, else
    // the last one), so that widgets do not wait on a comm nobody answers.
    const sink = this.currentSink();
    for (const commId of this.comms.keys()) sink?.comm?.("comm_close", { comm_id: commId, data: {} }, []);
    this.comms.clear();
    for (const resolve of this.commDeliveries.values()) resolve("the runtime exited");
    this.commDeliveries.clear();
    const how = describeExit(code, signal);
    if (this.stopping) return;
    const running = this.running;
    // A death the user is told about (the running cell's error, or the next cell's notice) is not
    // also a warning in the terminal of a console user; one nobody is told about is.
    if (running || this.ranCell) log.info(`runtime ${child.pid} ${how}`);
    else log.warn(`runtime ${child.pid} ${how}`);
    this.options.lost?.();
    this.running = undefined;
    const outOfMemory = this.stderrTail.includes("heap out of memory");
    // Out of memory is said in the error's first line (`what`); V8's report of it goes to the log at debug level.
    const detail =
      outOfMemory || this.stderrTail.trim() === "" ? "" : `Its last words on stderr:\n${this.stderrTail.trim().split("\n").slice(-6).join("\n")}`;
    // V8 aborts on out of memory: say what happened, not only the SIGABRT it ends with.
    const what = outOfMemory ? `ran out of memory (JavaScript heap out of memory) and ${how}` : how;
    // Only a runtime that ran a cell had variables to lose (not one that never started, or its idle replacement).
    if (!running && this.ranCell) {
      const when = this.lastLabel === undefined ? "before this cell" : `after ${this.lastLabel.replace(/^Cell /, "cell ")} ended`;
      const notice = `The runtime ${what} ${when}, while no cell ran. Every variable of the session was lost; this cell runs in a fresh runtime.`;
      this.lostBetweenCells = `${notice}\n${detail === "" ? "" : `${detail}\n`}`;
    }
    if (running) {
      const evalue = `The runtime ${what} while this cell ran. Every variable of the session is lost; the next cell runs in a fresh runtime.`;
      running.resolve({
        error: {
          ename: "RuntimeDied",
          evalue,
          traceback: [`\u001b[1;31mRuntimeDied\u001b[0m: ${evalue}`, ...(detail ? [detail] : [])],
        },
      });
    }
    // Start the replacement now, so the next cell does not wait for it. Not after a runtime that never
    // got ready (a bad --runtime-flag, a broken install): that would fork one Node after another for
    // good; the next cell tries again, and says why it cannot run.
    if (wasReady) this.start().catch((error: Error) => log.error(`cannot restart the runtime: ${error.message}`));
  }
}

export /** Processes by pid and start time, so that a pid reused meanwhile by another process is left alone. */
function identified(pids: number[]): { pid: number; startTime: number }[] {
  return pids.flatMap((pid) => {
    const stat = readStat(pid);
    return stat ? [{ pid, startTime: stat.startTime }] : [];
  });
}

/** SIGKILL to each of them that is still the same process (children before parents, as listed in reverse). */
function killAll(processes: { pid: number; startTime: number }[]): void {
  for (const { pid, startTime } of [...processes].reverse()) {
    if (readStat(pid)?.startTime !== startTime) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by signal ${signal}`;
  return `exited with code ${code ?? "unknown"}`;
}
