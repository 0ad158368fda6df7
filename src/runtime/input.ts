// `await input(prompt)`: asks the notebook's user through Jupyter's stdin
// channel, as Python's input() does in ipykernel. The kernel answers with the
// reply, or cancels the request when the client does not allow stdin.

import type { OutputChannel } from "./output.js";
import { STDIN_REFUSED } from "./protocol.js";

export interface InputOptions {
  password?: boolean;
}

export class InputRequests {
  private next = 1;
  /** `failure`: made when the cell asked, so that its stack shows the cell's line that called input(). */
  private readonly waiting = new Map<number, { resolve: (value: string) => void; reject: (error: Error) => void; failure: Error }>();

  /** `stdinRefused`: whether the running cell's client takes no input. */
  constructor(
    private readonly channel: OutputChannel,
    private readonly stdinRefused: () => boolean = () => false,
  ) {}

  ask = (prompt = "", options: InputOptions = {}): Promise<string> => this.request(() => String(prompt), options.password === true);

  /**
   * A read of process.stdin (stdin.ts): the prompt is the unfinished line the cell wrote to stdout,
   * taken out of its output, so that `rl.question("name? ", …)` shows "name? " once, in the input
   * box, as input("name? ") does. Taken only when the question goes out: with no input allowed it
   * stays stdout.
   */
  askLine = (): Promise<string> => this.request((id) => this.channel.takeUnfinishedLine(id), false);

  private request(promptOf: (id: string) => string, password: boolean): Promise<string> {
    const id = this.channel.target();
    if (id === undefined) return Promise.reject(new Error("input() needs a running cell"));
    // At once, as Python's input() raises: a cell that forgot its `await` has the rejection reported
    // while it still runs, not after its end, where no client shows it.
    if (this.stdinRefused()) return Promise.reject(stdinNotImplemented(STDIN_REFUSED, new Error()));
    const requestId = this.next++;
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(requestId, { resolve, reject, failure: new Error() });
      this.channel.send({ type: "input_request", id, requestId, prompt: promptOf(id), password });
    });
  }

  answer(requestId: number, value: string): void {
    const waiting = this.waiting.get(requestId);
    if (waiting === undefined) return;
    this.waiting.delete(requestId);
    // "\x04" is end of file: what jupyter console sends for Ctrl-D at the prompt, and what ipykernel
    // turns into Python's EOFError. A read of process.stdin then ends (stdin.ts), as a file's does.
    if (value === END_OF_FILE) waiting.reject(named(waiting.failure, "EOFError", "EOF when reading a line"));
    else waiting.resolve(value);
  }

  cancel(requestId: number, reason: string): void {
    const waiting = this.waiting.get(requestId);
    if (waiting === undefined) return;
    waiting.reject(stdinNotImplemented(reason, waiting.failure));
    this.waiting.delete(requestId);
  }

  /** An interrupt ends every wait. */
  cancelAll(error: Error): void {
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }
}

/** The answer that means end of file (Ctrl-D), as ipykernel reads it. */
const END_OF_FILE = "\u0004";

/** `failure` (made where the cell asked, for its stack) as Python's StdinNotImplementedError. */
function stdinNotImplemented(reason: string, failure: Error): Error {
  return named(failure, "StdinNotImplementedError", reason);
}

function named(failure: Error, name: string, message: string): Error {
  // Named before its stack is first read: V8 writes the stack's header then.
  failure.name = name;
  failure.message = message;
  return failure;
}
