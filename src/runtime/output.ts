// Everything the runtime sends to the kernel, in order. Stream text is
// coalesced: a cell printing 10,000 lines in a loop becomes a handful of
// messages, not 10,000 (one message per line is what slows IJavascript and
// Deno, and what overflows a client's receive queue). Any other message first
// flushes the pending text, so output order is exactly the order of calls.

import type { FromRuntime } from "./protocol.js";
import type { MemoryHost } from "../memory/api.js";
import type { PendingTimer } from "../memory/reference-walk.js";

/** How long printed text may wait to be coalesced with more. */
const FLUSH_INTERVAL_MS = 25;
/** Flush early past this many characters, so a flood never builds one huge message. */
const FLUSH_CHARS = 1 << 20;

export interface CellScope {
  id: string;
}

/**
 * Which cell's work is running when no cell is: set by a cell, a comm handler, and by every
 * timer callback to the cell that scheduled it (the context's timers are wrapped, see
 * bindTimers), and left set so the promise jobs that follow a callback inherit it.
 *
 * Not AsyncLocalStorage: it turns on Node's async hooks, and with them on, the watchdog's
 * Runtime.terminateExecution (the only way to interrupt `while (true) { await null }`) leaves
 * Node's async id stack unbalanced, which Node answers with a fatal assertion (SIGABRT).
 */
class WorkScope {
  private current: CellScope | undefined;

  run<T>(scope: CellScope, work: () => T): T {
    this.current = scope;
    return work();
  }

  getStore(): CellScope | undefined {
    return this.current;
  }

  /** Back to `scope`, if `from` is still the current one (a cell that started meanwhile keeps its own). */
  restore(from: CellScope, scope: CellScope | undefined): void {
    if (this.current === from) this.current = scope;
  }

  /** Synchronous `work` in `scope` (as it is, when none), and the scope before it current again. */
  within(scope: CellScope | undefined, work: () => void): void {
    if (scope === undefined) return work();
    const before = this.current;
    try {
      this.run(scope, work);
    } finally {
      this.restore(scope, before);
    }
  }

  /** `callback`, made to run in the scope that is current now. */
  bind<A extends unknown[], R>(callback: (...args: A) => R): (...args: A) => R {
    const scope = this.current;
    return (...args: A) => (scope ? this.run(scope, () => callback(...args)) : callback(...args));
  }
}

export const cellScope = new WorkScope();

type TimerFunction = (callback: (...args: unknown[]) => unknown, ...rest: unknown[]) => unknown;

/** A timer this short, started by a running cell, is part of the cell: it ends after the timer has run. */
const SHORT_TIMER_MS = 10;

/**
 * The immediates and short timers (`setTimeout(f, 0)`, `setTimeout(f, 10)`) a running cell started
 * and that have not run yet. A cell ends (its reply, then `idle`) once they have, so what they print
 * shows under the cell: nbconvert and JupyterLab stop reading a cell's output at its idle, and
 * `setTimeout(() => console.log("later"), 0)` is how the event loop is taught. Longer timers and
 * intervals print later, under the cell that started them.
 */
class ShortTimers {
  private tracking = false;
  private readonly pending = new Set<unknown>();
  private wake: (() => void) | undefined;

  /** From a cell's start: the short timers it starts are its own. */
  start(): void {
    this.tracking = true;
    this.pending.clear();
  }

  stop(): void {
    this.tracking = false;
    this.pending.clear();
    this.wake?.();
  }

  /**
   * Resolves when the cell's short timers (and those they started) have run, or after `limitMs`.
   * Always lets the event loop turn once: promise rejections nobody handled are reported there.
   */
  async settle(limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.tracking && this.pending.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** `schedule`, with the callback that ran (or the handle that was cleared) no longer pending. */
  track(delay: unknown, callback: (...args: unknown[]) => unknown, schedule: (callback: (...args: unknown[]) => unknown) => unknown): unknown {
    if (!this.tracking || !((Number(delay) || 0) <= SHORT_TIMER_MS)) return schedule(callback);
    const handle = schedule((...args: unknown[]) => {
      try {
        return callback(...args);
      } finally {
        this.done(handle);
      }
    });
    this.pending.add(handle);
    return handle;
  }

  done(handle: unknown): void {
    if (this.pending.delete(handle) && this.pending.size === 0) this.wake?.();
  }
}

export const shortTimers = new ShortTimers();

/**
 * The timers and immediates the notebook started that have not run, and intervals not cleared,
 * with the callback and arguments the event loop holds for each: gc.refcount walks from them
 * instead of taking a heap snapshot (reference-walk.ts).
 */
class NotebookTimers implements MemoryHost {
  /**
   * By handle, until the timer runs or is cleared (then at once: a handle kept here would keep its
   * callback's scope from `await gc()`), or is found destroyed (closed), whichever comes first. The
   * callback weakly: the event loop holds it, and a holder of our own would show in a heap snapshot.
   */
  private readonly live = new Map<object, { kind: PendingTimer["kind"]; callback: WeakRef<object>; objectArguments: boolean }>();

  forget(handle: unknown): void {
    if (typeof handle === "object" && handle !== null) this.live.delete(handle);
  }

  add(handle: unknown, kind: PendingTimer["kind"], callback: object, args: readonly unknown[]): void {
    if (typeof handle !== "object" || handle === null) return;
    const objectArguments = args.some((arg) => (typeof arg === "object" && arg !== null) || typeof arg === "function");
    this.live.set(handle, { kind, callback: new WeakRef(callback), objectArguments });
  }

  /** The callback behind a function the runtime gave Node's timers in its place (a cleared timer kept in a variable still holds it). */
  private readonly wrappers = new WeakMap<object, WeakRef<object>>();

  wrapper(wrapper: object, callback: object): void {
    this.wrappers.set(wrapper, new WeakRef(callback));
  }

  /** The hooks the memory API calls unbound (its reference walk's): arrow properties. */
  readonly timerCallbackBehind = (fn: object): object | undefined => this.wrappers.get(fn)?.deref();

  readonly pendingTimers = (): PendingTimer[] => {
    const pending: PendingTimer[] = [];
    for (const [handle, { kind, callback, objectArguments }] of this.live) {
      // Node marks a timer that ran (not an interval), was cleared or closed as destroyed. Its
      // callback is not deref'd then: that would keep it alive to the end of the job, and a heap
      // snapshot taken in it would count what the callback's scope holds.
      const fn = (handle as { _destroyed?: boolean })._destroyed === false ? callback.deref() : undefined;
      if (fn === undefined) this.live.delete(handle);
      else pending.push({ kind, callback: fn, objectArguments });
    }
    return pending;
  };
}

export const notebookTimers = new NotebookTimers();

/**
 * `run`, which first has the notebook's timer in `slot` forgotten. Made out here: a function made in
 * the wrapper would keep the wrapper's scope, and with it the timer's arguments, which Node holds
 * already (a heap snapshot would count them twice).
 */
function forgottenWhenRun(run: (...args: unknown[]) => unknown, slot: { handle?: unknown }): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    notebookTimers.forget(slot.handle);
    return run(...args);
  };
}

type StreamChunk = { id: string; name: "stdout" | "stderr"; text: string };

/**
 * Cuts the unfinished last line (the text after its last newline) off the last of `chunks` when that
 * is stdout (of cell `id`, when given), and gives it as a chunk of its own; the chunk left empty goes.
 */
function cutUnfinishedLine(chunks: StreamChunk[], id?: string): StreamChunk | undefined {
  const tail = chunks[chunks.length - 1];
  if (tail === undefined || tail.name !== "stdout" || (id !== undefined && tail.id !== id)) return undefined;
  const lineStart = tail.text.lastIndexOf("\n") + 1;
  if (lineStart === tail.text.length) return undefined;
  const line = { ...tail, text: tail.text.slice(lineStart) };
  tail.text = tail.text.slice(0, lineStart);
  if (tail.text === "") chunks.pop();
  return line;
}

/** Wraps the context's timers so a callback's output goes to the cell that scheduled it, and a cell waits for its short ones. */
export function bindTimers(global: Record<string, unknown>): void {
  for (const name of ["setTimeout", "setInterval", "setImmediate", "queueMicrotask", "clearTimeout", "clearInterval", "clearImmediate"]) {
    const original = global[name] as TimerFunction | undefined;
    if (typeof original !== "function") continue;
    const wrapped = (callback: unknown, ...rest: unknown[]) => {
      if (name.startsWith("clear")) {
        shortTimers.done(callback);
        notebookTimers.forget(callback);
        return original(callback as never, ...rest);
      }
      if (typeof callback !== "function") return original(callback as never, ...rest);
      const bound = cellScope.bind(callback as (...args: unknown[]) => unknown);
      if (name === "queueMicrotask") return original(bound, ...rest);
      const slot: { handle?: unknown } = {};
      const schedule = (run: (...args: unknown[]) => unknown): unknown => {
        // A timeout or immediate runs once: from then on it holds nothing for the event loop.
        const fire = name === "setInterval" ? run : forgottenWhenRun(run, slot);
        notebookTimers.wrapper(fire, callback);
        return original(fire, ...rest);
      };
      slot.handle =
        name === "setTimeout" ? shortTimers.track(rest[0], bound, schedule)
        : name === "setImmediate" ? shortTimers.track(0, bound, schedule)
        : schedule(bound);
      notebookTimers.add(slot.handle, name === "setImmediate" ? "Immediate" : "Timeout", callback, name === "setImmediate" ? rest : rest.slice(1));
      return slot.handle;
    };
    // util.promisify(setTimeout) and friends look for this.
    for (const symbol of Object.getOwnPropertySymbols(original)) {
      Object.defineProperty(wrapped, symbol, Object.getOwnPropertyDescriptor(original, symbol)!);
    }
    Object.defineProperty(wrapped, "name", { value: name });
    Object.defineProperty(global, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  }
}

type Send = (message: FromRuntime) => void;

export class OutputChannel {
  private pending: StreamChunk[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When text was last sent: text printed after a quiet spell goes at once, before anything can hold the thread. */
  private lastFlush = 0;
  /** The cell executing now; output from anywhere goes to it while it runs. */
  running: string | undefined;
  /** The most recent cell, for output whose origin is unknown. */
  last: string | undefined;
  /**
   * Whether a read of process.stdin may ask a question soon (stdin.ts): then the unfinished last line
   * of stdout waits in `pending` for it instead of being sent at once, so that the question can take
   * it as its prompt (readline's `rl.question("name? ")` writes the prompt, then reads).
   */
  promptMayFollow: () => boolean = () => false;

  constructor(private readonly sendRaw: Send) {}

  /** A cell starts: its output goes to it, and its first line is sent at once (it may go on to hold the thread). */
  startCell(id: string): void {
    this.running = id;
    this.last = id;
    this.lastFlush = 0;
  }

  /** Which cell a piece of output belongs to, decided when it is produced. */
  target(): string | undefined {
    return this.running ?? cellScope.getStore()?.id ?? this.last;
  }

  stream(name: "stdout" | "stderr", text: string): void {
    const id = this.target();
    if (id === undefined || text === "") return;
    const tail = this.pending[this.pending.length - 1];
    if (tail && tail.id === id && tail.name === name) tail.text += text;
    else this.pending.push({ id, name, text });
    this.pendingChars += text.length;
    // The timer cannot fire while synchronous code holds the thread (`console.log("start"); while (busy) …`):
    // text is also sent when it is the first in a while, and when the wait is over by the clock, so that a
    // long synchronous cell shows its output as it goes, as Python's does. A flood still goes in few messages.
    if (this.pendingChars >= FLUSH_CHARS || Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS) {
      this.flush(name === "stdout" && this.promptMayFollow());
    } else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /**
   * The stdout text cell `id` wrote since its last newline, if it is the last output still pending,
   * taken out of the output: a question to the user shows it as its prompt, as Python's
   * input("name? ") shows its prompt in the input box only. Text already sent stays sent.
   */
  takeUnfinishedLine(id: string): string {
    const line = cutUnfinishedLine(this.pending, id);
    if (line === undefined) return "";
    this.pendingChars -= line.text.length;
    return line.text;
  }

  send(message: FromRuntime): void {
    this.flush();
    this.sendRaw(message);
  }

  /**
   * Sends the pending text. `keepUnfinishedLine`: the last chunk's stdout text after its last newline
   * stays pending (a question may take it as its prompt), and goes with the next flush, at the
   * latest when the coalescing timer fires or the cell ends.
   */
  flush(keepUnfinishedLine = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    const kept = keepUnfinishedLine ? cutUnfinishedLine(pending) : undefined;
    if (kept !== undefined) {
      this.pending.push(kept);
      this.pendingChars = kept.text.length;
      this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref();
    }
    if (pending.length > 0) this.lastFlush = Date.now();
    for (const chunk of pending) this.sendRaw({ type: "stream", ...chunk });
  }
}

/** Routes process.stdout/stderr writes (and so every console) into the channel. */
export function captureProcessStreams(channel: OutputChannel): void {
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const text =
        typeof chunk === "string"
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8");
      channel.stream(name, text);
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    };
    stream.write = write as typeof stream.write;
  }
}
