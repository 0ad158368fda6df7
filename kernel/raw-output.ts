// What the runtime process writes to its file descriptors 1 and 2 rather than
// through `process.stdout`/`console` (which travel over IPC): a child process
// started with `stdio: "inherit"`, `execSync`'s stderr, `fs.writeSync(1, …)`.
// ipykernel shows such output in the notebook too (it watches fds 1 and 2);
// without this it ended in the kernel's log, where a notebook user never sees it.
//
// The pipes and the IPC channel are read independently, so a cell's reply could
// overtake what the cell's child printed just before it. Once the notebook has
// started a child process, the runtime therefore writes END_OF_CELL to both
// pipes before it says a cell is done, and the kernel ends the cell once it has
// read that far (`reached`).

import { StringDecoder } from "node:string_decoder";
import { END_OF_CELL } from "../src/runtime/protocol.js";

/** How long a partial stderr line waits for its end before it is shown anyway (a progress bar's `\r`). */
const PARTIAL_LINE_MS = 50;

export interface RawOutputOptions {
  /** Text for the notebook. */
  show(text: string): void;
  /**
   * Whether a whole line is the runtime's own (its log, Node's notices, V8's last words): it goes
   * to `aside` instead of the notebook. Lines are only split out when this is given.
   */
  isOwn?(line: string): boolean;
  aside?(text: string): void;
}

export class RawOutput {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private marks = 0;
  private readonly waiting: { count: number; resolve(): void }[] = [];
  private partialTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RawOutputOptions) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    for (let at = this.pending.indexOf(END_OF_CELL); at !== -1; at = this.pending.indexOf(END_OF_CELL)) {
      this.emit(this.pending.slice(0, at), true);
      this.pending = this.pending.slice(at + END_OF_CELL.length);
      this.marks++;
      for (const waiter of this.waiting.filter((w) => w.count <= this.marks)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    // Keep back what may be the start of a mark split across reads.
    const keep = partialMarkLength(this.pending);
    this.emit(this.pending.slice(0, this.pending.length - keep), false);
    this.pending = this.pending.slice(this.pending.length - keep);
  }

  /** Resolves once `count` end-of-cell marks have been read, or after `timeoutMs`. */
  reached(count: number, timeoutMs: number): Promise<void> {
    if (this.marks >= count) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index !== -1) this.waiting.splice(index, 1);
        resolve();
      }, timeoutMs);
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiting.push(waiter);
    });
  }

  /** The pipe closed: what is left is shown. */
  end(): void {
    this.pending += this.decoder.end();
    this.emit(this.pending, true);
    this.pending = "";
  }

  private lineBuffer = "";

  private emit(text: string, complete: boolean): void {
    const { isOwn, show, aside } = this.options;
    if (!isOwn) {
      if (text !== "") show(text);
      return;
    }
    this.lineBuffer += text;
    const lastNewline = this.lineBuffer.lastIndexOf("\n");
    let whole = complete ? this.lineBuffer : this.lineBuffer.slice(0, lastNewline + 1);
    // Blank lines at the end wait for the line after them, as a partial line does: V8 opens its
    // out-of-memory report with one, which would otherwise reach the notebook as an empty stderr
    // output above the cell's error.
    if (!complete) whole = whole.replace(/\n+$/, (blank) => (blank.length === whole.length ? "" : "\n"));
    this.lineBuffer = this.lineBuffer.slice(whole.length);
    let forNotebook = "";
    let blanks = "";
    for (const line of whole.split(/(?<=\n)/)) {
      if (line === "") continue;
      if (line === "\n") {
        blanks += line;
      } else if (isOwn(line)) {
        // Blank lines right before the runtime's own line are part of what it wrote.
        aside?.(blanks + line);
        blanks = "";
      } else {
        forNotebook += blanks + line;
        blanks = "";
      }
    }
    forNotebook += blanks;
    if (forNotebook !== "") show(forNotebook);
    clearTimeout(this.partialTimer);
    if (this.lineBuffer !== "") this.partialTimer = setTimeout(() => this.emit("", true), PARTIAL_LINE_MS).unref();
  }
}

/** The length of the longest end of `text` that begins END_OF_CELL. */
function partialMarkLength(text: string): number {
  for (let length = Math.min(text.length, END_OF_CELL.length - 1); length > 0; length--) {
    if (END_OF_CELL.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}
