// Everything the runtime sends to the kernel, in order. Stream text is
// coalesced: a cell printing 10,000 lines in a loop becomes a handful of
// messages, not 10,000 (one message per line is what slows IJavascript and
// Deno, and what overflows a client's receive queue). Any other message first
// flushes the pending text, so output order is exactly the order of calls.

import { AsyncLocalStorage } from "node:async_hooks";
import type { FromRuntime } from "./protocol.js";

/** How long printed text may wait to be coalesced with more. */
const FLUSH_INTERVAL_MS = 25;
/** Flush early past this many characters, so a flood never builds one huge message. */
const FLUSH_CHARS = 1 << 20;

export interface CellScope {
  id: string;
}

/** The cell whose async work is running: timers and promises inherit it. */
export const cellScope = new AsyncLocalStorage<CellScope>();

type Send = (message: FromRuntime) => void;

export class OutputChannel {
  private pending: { id: string; name: "stdout" | "stderr"; text: string }[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The cell executing now; output from anywhere goes to it while it runs. */
  running: string | undefined;
  /** The most recent cell, for output whose origin is unknown. */
  last: string | undefined;

  constructor(private readonly sendRaw: Send) {}

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
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  send(message: FromRuntime): void {
    this.flush();
    this.sendRaw(message);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = [];
    this.pendingChars = 0;
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
