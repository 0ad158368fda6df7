// The notebook's `process.stdin`: a stream whose reads ask the notebook's user for a line through
// Jupyter's input_request, the path `await input()` takes (input.ts). The runtime's own stdin is
// /dev/null, so without this a cell's `rl.question(…)` or `for await (const line of rl)` waited
// for a line that could never come. ipykernel leaves `sys.stdin` to the process and only routes
// `input()`; Node programs read the stream itself (readline), so here the stream is what asks.
//
// A read asks only when the cell reads: Readable calls `_read` once a consumer listens for data
// or calls read(), and the question goes out a turn later, unless the consumer paused the stream
// by then (`readline.createInterface(…).close()` in one go asks nothing). Each answer is a line:
// the text plus "\n". When the client takes no input (allow_stdin false, as nbconvert's), or the
// question is cancelled (the cell ended or was interrupted), the stream ends, as stdin does at the
// end of a file, rather than wait forever; a fresh stream then serves the next reader.
//
// The question's prompt is the unfinished last line the cell wrote to stdout (readline's
// `rl.question("name? ")` writes "name? ", then reads), taken out of the output, so the user sees
// it once, in the input box, as with Python's input("name? "). While a reader waits and no question
// is out (`mayAsk`), output.ts holds such a line back instead of sending it at once; a line written
// while no one reads (`process.stdout.write("who? ")` before `process.stdin.once("data", …)`) has
// gone already and stays stdout.
//
// The runtime reads nothing from process.stdin itself (the kernel talks over IPC, the watchdog
// over fd 4), so the notebook may have it.

import { createRequire } from "node:module";
import type { Interface } from "node:readline";
import { Readable } from "node:stream";

/**
 * Asks the user for a line, with the unfinished line the cell wrote to stdout as the prompt (what
 * readline's `rl.question("name? ")` wrote); rejects when no answer can come (no input allowed, cancelled).
 */
export type AskLine = () => Promise<string>;

class NotebookStdin extends Readable {
  /** A read is being served: Readable does not call `_read` again until it is answered. */
  private asking = false;
  /** The question has gone to the user: text written from now on is no prompt of it. */
  private asked = false;

  constructor(private readonly askLine: AskLine) {
    super({ encoding: undefined });
  }

  override _read(): void {
    if (this.asking) return;
    this.asking = true;
    // A turn later: readline writes the question's prompt after it starts reading, and a consumer
    // that stops at once (pause, close) should not leave a question in the frontend.
    setImmediate(() => this.askWhenRead());
  }

  private askWhenRead(): void {
    if (this.destroyed) return;
    if (!this.hasReader()) {
      // Nobody reads now (readline closed or paused it, a once("data") listener is gone): ask when
      // a reader comes, not before: the frontend would show a question no code waits for.
      const again = (event?: string | symbol): void => {
        if (event !== undefined && event !== "data" && event !== "readable") return;
        this.off("newListener", again);
        this.off("resume", again);
        setImmediate(() => this.askWhenRead());
      };
      this.on("newListener", again);
      this.on("resume", again);
      return;
    }
    this.asked = true;
    this.askLine().then(
      (line) => {
        this.asking = this.asked = false;
        this.push(`${line}\n`);
      },
      () => {
        this.asking = this.asked = false;
        this.push(null);
      },
    );
  }

  /** A reader waits and no question is out yet: what the cell writes now may be the next question's prompt. */
  get mayAsk(): boolean {
    return !this.asked && !this.destroyed && !this.readableEnded && this.hasReader();
  }

  /** Left by its readers (readline's close() pauses it): nothing a later reader would miss. */
  get abandoned(): boolean {
    return this.readableEnded || this.destroyed || (this.isPaused() && !this.hasReader() && this.readableLength === 0);
  }

  hasReader(): boolean {
    return !this.isPaused() && this.listenerCount("data") + this.listenerCount("readable") > 0;
  }

  // Like Node's process.stdin on a file: not a terminal, so readline neither echoes nor edits.
  readonly isTTY = false;
  readonly fd = 0;
}

/**
 * Makes `process.stdin` (the one `process` the runtime and the notebook share) the notebook's
 * stream. A stream that has ended (no input allowed for the cell that read it), or that its readers
 * paused and left (a closed readline interface), is replaced on the next access: in a script the
 * next reader would find stdin paused or at its end, but in a notebook a later cell reading stdin
 * means to ask again.
 */
export function installNotebookStdin(askLine: AskLine): { mayAsk: () => boolean } {
  let stream: NotebookStdin | undefined;
  Object.defineProperty(process, "stdin", {
    configurable: true,
    enumerable: true,
    get(): Readable {
      if (stream === undefined) pauseReadlineWhenUnheard();
      if (stream === undefined || stream.abandoned) stream = new NotebookStdin(askLine);
      return stream;
    },
  });
  // Without making a stream: output.ts asks on every write to stdout.
  return { mayAsk: () => stream !== undefined && stream.mayAsk };
}

/** A readline interface, with the input Node gives it but its types leave out. */
type LineReader = Interface & { readonly input?: unknown };

/**
 * Node 20's readline interface goes on reading its input when no code waits for a line: after a
 * `for await (const line of rl)` that breaks or throws, after `rl.question(…)` is answered. In a
 * script the next line waits unread in stdin's buffer, but here reading is asking, and the user
 * would get a question no code waits for (and the cell's end, which cancels it, closed the
 * interface: a later `rl.question` failed with "readline was closed"). So an interface over the
 * notebook's stdin pauses once nothing listens for its lines, as `rl.pause()` would: it reads again
 * for the next `rl.question` (which resumes it, as readline does) or `rl.on("line", …)` (which
 * resumes it here). Loaded when the notebook first touches `process.stdin`: only then can an
 * interface read it.
 */
function pauseReadlineWhenUnheard(): void {
  const load = createRequire(import.meta.url);
  const readline = load("node:readline") as typeof import("node:readline");
  const promises = load("node:readline/promises") as typeof import("node:readline/promises");
  const lines = ownerOf(readline.Interface.prototype, Symbol.asyncIterator);
  if (lines !== undefined) {
    const iterate = lines[Symbol.asyncIterator] as (this: LineReader) => AsyncIterableIterator<string>;
    const watched = new WeakSet<object>();
    replaceMethod(lines, Symbol.asyncIterator, function (this: LineReader): AsyncIterableIterator<string> {
      const iterator = iterate.call(this);
      const finish = iterator.return?.bind(iterator);
      if (!(this.input instanceof NotebookStdin) || finish === undefined || watched.has(iterator)) return iterator;
      watched.add(iterator);
      iterator.return = (value?: unknown) => {
        const finished = finish(value);
        pauseIfUnheard(this);
        return finished;
      };
      return iterator;
    });
  }
  const asked = readline.Interface.prototype.question as (this: LineReader, query: string, ...rest: unknown[]) => void;
  replaceMethod(readline.Interface.prototype, "question", function (this: LineReader, query: string, ...rest: unknown[]): void {
    const last = rest.length - 1;
    const answer = rest[last];
    if (this.input instanceof NotebookStdin && typeof answer === "function") {
      rest[last] = (line: string): unknown => {
        pauseIfUnheard(this);
        return Reflect.apply(answer, undefined, [line]) as unknown;
      };
    }
    Reflect.apply(asked, this, [query, ...rest]);
  });
  const askedAsync = promises.Interface.prototype.question as (this: LineReader, ...args: unknown[]) => Promise<string>;
  replaceMethod(promises.Interface.prototype, "question", function (this: LineReader, ...args: unknown[]): Promise<string> {
    const answered = Reflect.apply(askedAsync, this, args) as Promise<string>;
    if (!(this.input instanceof NotebookStdin)) return answered;
    return answered.then((line) => {
      pauseIfUnheard(this);
      return line;
    });
  });
}

/** Pauses an interface no one listens to for lines, until someone does. */
function pauseIfUnheard(reader: LineReader): void {
  if (reader.listenerCount("line") > 0) return;
  reader.pause();
  const resume = (event: string | symbol): void => {
    if (event !== "line") return;
    reader.off("newListener", resume);
    reader.resume();
  };
  reader.on("newListener", resume);
  // A resume for any other reason (the next rl.question) ends the wait for a listener.
  reader.once("resume", () => reader.off("newListener", resume));
}

function ownerOf(object: object, key: symbol): Record<symbol, unknown> | undefined {
  for (let at: object | null = object; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    if (Object.prototype.hasOwnProperty.call(at, key)) return at as Record<symbol, unknown>;
  }
  return undefined;
}

function replaceMethod(owner: object, key: string | symbol, method: (this: LineReader, ...args: never[]) => unknown): void {
  Object.defineProperty(owner, key, { configurable: true, writable: true, enumerable: false, value: method });
}
