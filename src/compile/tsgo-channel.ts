// TypeScript 7's checker process (tsgo), spoken to without blocking. tsgo's API
// server (`tsgo --api`) reads requests on stdin and answers on stdout as
// MessagePack triples [kind, method, payload]; while it works on a request it
// may call back (`readFile`, `fileExists`) and wait for the answer. The
// package's synchronous client blocks its thread on every read, so it needed a
// worker thread of its own (~15 MB, and ~60 ms to boot before tsgo could even
// start). This channel reads the same pipe through the event loop instead: the
// checker lives on the kernel's thread, and tsgo starts loading the libraries
// the moment the kernel starts, before TypeScript's JavaScript API has loaded.
//
// Requests go one at a time, in order, as the server expects. A callback that
// throws is answered with an error; tsgo treats it as a failed read.
//
// Why 7.0.2's protocol and not 7.1's (7.1.0-dev.20261105.1, measured on this
// project's per-cell pattern, versions interleaved): 7.1 can carry a cell's
// text in the request (a `fileSystem` layer: no readFile callback) and batch
// the update, the diagnostics and the release into one round trip (the new
// snapshot's id is the last one plus one), but each snapshot costs it more:
// 4.1-4.3 ms of tsgo CPU per cell and 4.8-6.1 ms p50 against 7.0.2's 3.4-3.7
// and 3.2-4.0 (unbatched, on a quieter machine: 2.4-2.7 ms against 2.2-2.3).
// Its updateSnapshot leaves the program as it was unless `ensurePrograms` is
// set, and diagnostics then silently describe the previous text. Neither keeps
// a checker across snapshots: a program updated for one changed file gets a
// new checker pool (tsgo's Program.UpdateProgram), so every cell pays for
// merging the libraries' globals again.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";

const REQUEST = 1;
const CALL_RESPONSE = 2;
const CALL_ERROR = 3;
const RESPONSE = 4;
const ERROR = 5;
const CALL = 6;
const FIXARRAY3 = 0x93;
const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;
/**
 * tsgo's answer once it took SIGINT or SIGTERM (someone's `kill`, a signal to its process group) as
 * "cancel": its server goes on running but panics on the request it was in and never answers
 * another, so the kernel's cells waited 30 s each and then ran unchecked.
 */
const CANCELED = /^panic: context canceled/;

/** The file-system questions tsgo asks; `undefined` sends it to the disk. */
export interface TsgoFileSystem {
  readFile(path: string): string | undefined;
  fileExists(path: string): boolean | undefined;
}

interface Request {
  method: string;
  payload: string;
  binary: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The part of TypeScript's API client its object model calls (`typescript/unstable/async`). */
export interface ApiClient {
  apiRequest(method: string, params: unknown): Promise<unknown>;
  apiRequestBinary(method: string, params: unknown): Promise<Uint8Array | undefined>;
  getTimingCollector(): undefined;
  close(): Promise<void>;
}

/**
 * The tsgo binary of the pinned `typescript` package: its per-platform package's `lib/tsc`, found
 * as the package's own lib/getExePath.js finds it (importing that costs ~10 ms of the start, which
 * tsgo's warm-up waits for).
 */
export function tsgoPath(): string {
  const fromTypescript = createRequire(createRequire(import.meta.url).resolve("typescript/package.json"));
  const platformPackage = `@typescript/typescript-${process.platform}-${process.arch}`;
  let dir: string;
  try {
    dir = dirname(fromTypescript.resolve(`${platformPackage}/package.json`));
  } catch {
    throw new Error(`TypeScript's native checker for this platform (${platformPackage}) is not installed: run npm install`);
  }
  return join(dir, "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
}

export class TsgoChannel {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** The end of what tsgo wrote to stderr (a Go panic's message), for the reason it stopped. */
  private stderrTail = "";
  private readonly queue: Request[] = [];
  private current: Request | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | undefined;
  /** Why the channel ended tsgo itself, for `exited` (it was killed, but not by someone else). */
  private stopReason: string | undefined;
  /** Settles when tsgo has gone, with why. */
  readonly exited: Promise<string>;

  private readonly callbacks: Record<string, (argument: unknown) => string>;

  /** `exe`: tsgoPath()'s answer. */
  constructor(options: { exe: string; cwd: string; fs: TsgoFileSystem; env?: Record<string, string> }) {
    const { fs } = options;
    this.callbacks = {
      readFile: (path) => {
        const content = fs.readFile(path as string);
        // "" means "not mine: read the disk"; null content would mean "no such file".
        return content === undefined ? "" : JSON.stringify({ content });
      },
      fileExists: (path) => JSON.stringify(fs.fileExists(path as string)) ?? "",
    };
    this.child = spawn(options.exe, ["--api", "--cwd", options.cwd, "--callbacks=readFile,fileExists"], {
      // Not the kernel's stderr: a tsgo whose kernel went away mid-request panics with a Go stack dump.
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
      // A process group of its own: a client in signal mode interrupts by sending SIGINT to the
      // kernel's whole group, and tsgo, a Go program, takes SIGINT as "cancel": its next request
      // panics ("context canceled") and the cell after an interrupt ran unchecked, its type errors
      // unreported. It still ends with the kernel: its stdin closes, and it exits.
      detached: true,
    });
    // An idle tsgo does not keep the kernel's process alive; a request waiting for its answer does (next()).
    this.child.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as Readable & { unref?: () => void }).unref?.();
    this.child.stdin.on("error", () => undefined);
    this.child.stdout.on("data", (chunk: Buffer) => this.received(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4000)));
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error) => {
        this.fail(new Error(`the checker could not start: ${error.message}`));
        resolve(error.message);
      });
      this.child.on("exit", (code, signal) => {
        const said = /^(?:panic|fatal error): .*$/m.exec(this.stderrTail)?.[0];
        const why = this.stopReason ?? (signal ? `killed by ${signal}` : `exit code ${code}`) + (said ? `: ${said}` : "");
        this.fail(new Error(`the checker stopped (${why})`));
        resolve(why);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  request(method: string, params: unknown): Promise<unknown> {
    return this.enqueue(method, params, false);
  }

  requestBinary(method: string, params: unknown): Promise<Uint8Array | undefined> {
    return this.enqueue(method, params, true) as Promise<Uint8Array | undefined>;
  }

  /** What TypeScript's API objects call, in place of the client they would spawn themselves. */
  apiClient(): ApiClient {
    return {
      apiRequest: (method, params) => this.request(method, params),
      apiRequestBinary: (method, params) => this.requestBinary(method, params),
      getTimingCollector: () => undefined,
      close: async () => this.close(),
    };
  }

  /** Stops tsgo; whatever is waiting fails. */
  close(): void {
    // Whoever closes may wait for `exited`: the exit must keep the process alive until it is seen.
    this.child.ref();
    this.fail(new Error("the checker was closed"));
    this.child.stdin.end();
    this.child.kill("SIGKILL");
  }

  private enqueue(method: string, params: unknown, binary: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.queue.push({ method, payload: JSON.stringify(params) ?? "null", binary, resolve, reject });
      if (this.current === undefined) this.next();
    });
  }

  private next(): void {
    this.current = this.queue.shift();
    const stdout = this.child.stdout as Readable & { ref?: () => void; unref?: () => void };
    if (this.current) {
      stdout.ref?.();
      this.write(REQUEST, this.current.method, this.current.payload);
    } else {
      stdout.unref?.();
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const waiting = this.current ? [this.current, ...this.queue] : this.queue.slice();
    this.current = undefined;
    this.queue.length = 0;
    for (const request of waiting) request.reject(error);
  }

  private write(kind: number, name: string, payload: string): void {
    const nameBytes = Buffer.from(name, "utf8");
    const payloadBytes = Buffer.from(payload, "utf8");
    this.child.stdin.write(Buffer.concat([Buffer.from([FIXARRAY3, kind]), binHeader(nameBytes.length), nameBytes, binHeader(payloadBytes.length), payloadBytes]));
  }

  private received(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.takeMessage());
    } catch (error) {
      // A malformed stream cannot be resynchronised: this tsgo is of no more use.
      this.fail(new Error(`the checker sent a malformed message: ${(error as Error).message}`));
      this.child.kill("SIGKILL");
    }
  }

  /** Parses and handles one whole message from the front of the buffer; false when it has not all arrived. */
  private takeMessage(): boolean {
    if (this.buffered < 4) return false;
    // The header (array marker, kind, name) is small: it may span chunks, so look at a joined prefix.
    const head = this.contiguous(Math.min(this.buffered, 64));
    if (head[0] !== FIXARRAY3) throw new Error(`expected a 3-element array, got 0x${head[0]!.toString(16)}`);
    const kind = head[1]!;
    const name = binAt(head, 2);
    if (name === undefined) return false;
    const payloadHeader = binAt(this.contiguous(Math.min(this.buffered, name.end + 5)), name.end);
    if (payloadHeader === undefined) return false;
    if (this.buffered < payloadHeader.end) return false;
    const message = this.contiguous(payloadHeader.end);
    const method = message.toString("utf8", name.start, name.end);
    // A binary answer is copied out: the API reads it through views at absolute offsets of its buffer.
    // JSON is decoded at once, from the chunk itself (no copy of every answer and callback).
    const view = message.subarray(payloadHeader.start, payloadHeader.end);
    const payload = kind === RESPONSE && this.current?.binary === true ? Buffer.from(view) : view;
    this.consume(payloadHeader.end);
    this.handle(kind, method, payload);
    return true;
  }

  private handle(kind: number, method: string, payload: Buffer): void {
    if (kind === CALL) {
      const callback = this.callbacks[method];
      try {
        if (callback === undefined) throw new Error(`no callback named ${method}`);
        this.write(CALL_RESPONSE, method, callback(JSON.parse(payload.toString("utf8")) as unknown));
      } catch (error) {
        this.write(CALL_ERROR, method, (error as Error).message ?? String(error));
      }
      return;
    }
    const request = this.current;
    if (request === undefined || (kind !== RESPONSE && kind !== ERROR)) throw new Error(`unexpected message ${kind} (${method})`);
    if (method !== request.method) throw new Error(`answer to ${method} while waiting for ${request.method}`);
    this.current = undefined;
    if (kind === ERROR) {
      const message = payload.toString("utf8");
      if (CANCELED.test(message)) {
        // Failed before it is rejected: the checker sees a channel that is gone, and replaces it.
        this.stopReason = "it was canceled by a signal, and answers no more";
        const error = new Error(`the checker stopped (${this.stopReason})`);
        this.fail(error);
        request.reject(error);
        this.child.kill("SIGKILL");
        return;
      }
      request.reject(new Error(message));
    } else if (request.binary) {
      request.resolve(payload.length === 0 ? undefined : new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
    } else {
      request.resolve(payload.length === 0 ? undefined : (JSON.parse(payload.toString("utf8")) as unknown));
    }
    this.next();
  }

  /** The first `length` buffered bytes as one buffer (joins chunks only when they are split). */
  private contiguous(length: number): Buffer {
    if (this.chunks[0]!.length < length) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private consume(length: number): void {
    let left = length;
    while (left > 0) {
      const first = this.chunks[0]!;
      if (first.length <= left) {
        this.chunks.shift();
        left -= first.length;
      } else {
        this.chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    this.buffered -= length;
  }
}

function binHeader(length: number): Buffer {
  if (length < 0x100) return Buffer.from([BIN8, length]);
  if (length < 0x10000) return Buffer.from([BIN16, length >> 8, length & 0xff]);
  const header = Buffer.alloc(5);
  header[0] = BIN32;
  header.writeUInt32BE(length, 1);
  return header;
}

/** The byte range of the MessagePack bin field at `at`, or undefined if its header has not all arrived. */
function binAt(buffer: Buffer, at: number): { start: number; end: number } | undefined {
  if (at >= buffer.length) return undefined;
  const marker = buffer[at];
  const sizeBytes = marker === BIN8 ? 1 : marker === BIN16 ? 2 : marker === BIN32 ? 4 : 0;
  if (sizeBytes === 0) throw new Error(`expected binary data, got 0x${marker!.toString(16)}`);
  if (at + 1 + sizeBytes > buffer.length) return undefined;
  const size = sizeBytes === 1 ? buffer[at + 1]! : sizeBytes === 2 ? buffer.readUInt16BE(at + 1) : buffer.readUInt32BE(at + 1);
  const start = at + 1 + sizeBytes;
  return { start, end: start + size };
}
