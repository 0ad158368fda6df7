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
      if (stream === undefined || stream.abandoned) stream = new NotebookStdin(askLine);
      return stream;
    },
  });
  // Without making a stream: output.ts asks on every write to stdout.
  return { mayAsk: () => stream !== undefined && stream.mayAsk };
}
