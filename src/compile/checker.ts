// Type checking across cells, completion, inspection and is_complete for the
// kernel. The checking runs in TypeScript 7's native checker, driven from a
// worker thread (checker-worker.ts → cell-project.ts), so the kernel's main
// thread keeps answering heartbeats and control messages; warm-up starts when
// the CellChecker is created. If the worker or the tsgo process dies, the
// checker logs one line to stderr, answers as if the cell had no errors, and
// starts a fresh worker once (replaying the accepted cells).

import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { CellDiagnostic, CheckResult, CompletionResult, InspectResult } from "./checker-types.js";
import { checkedText, NO_CHECK, type CheckedText } from "./cell-source.js";
import type { WorkerReply, WorkerRequest } from "./checker-protocol.js";
import type { CellProjectOptions } from "./cell-project.js";

export type { CellDiagnostic, CompletionResult, InspectResult } from "./checker-types.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RequestBody = DistributiveOmit<WorkerRequest, "id" | "checked">;

interface Pending {
  resolve(value: unknown): void;
  fallback: unknown;
  timer: NodeJS.Timeout;
}

const MAX_RESTARTS = 1;
/**
 * A request the checker has not answered in this long has wedged it (tsgo
 * blocks its worker's synchronous read for good): the cell runs unchecked
 * rather than every later request waiting forever.
 */
const REQUEST_TIMEOUT_MS = 30_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export class CellChecker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts = 0;
  private disposed = false;
  private readonly acceptedSources: string[] = [];
  /** Counts changes to what cells see (accepted declarations, a new worker): a check's answer holds within one. */
  private generation = 0;
  private lastCheck: { source: string; generation: number; result: CheckResult } | undefined;
  private parsed: { source: string; checked: CheckedText } | undefined;
  private readyPromise: Promise<number | undefined> = Promise.resolve(undefined);
  private readonly options: CellProjectOptions;

  constructor(options: Partial<CellProjectOptions> = {}) {
    this.options = { cwd: options.cwd ?? process.cwd(), globalsDts: options.globalsDts ?? [], globalValues: options.globalValues ?? [] };
    this.start();
  }

  /** Resolves with the warm-up time in ms once the checker has loaded (undefined if it is unavailable). */
  ready(): Promise<number | undefined> {
    return this.readyPromise;
  }

  /** Whether the checker is running (false after it failed twice or was disposed). */
  get available(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Type-check a cell against all accepted cells; does not accept it. The same cell checked again
   * while the accepted cells are unchanged gets the same answer without a trip to the checker
   * (running `1 + 1` again, or a cell that printed something, costs nothing to check).
   */
  async check(source: string): Promise<CellDiagnostic[]> {
    // Nothing to ask the checker, so nothing to wait for while it warms up.
    if (NO_CHECK.test(source)) return [];
    const memo = this.lastCheck;
    if (memo?.source === source && memo.generation === this.generation) return memo.result.diagnostics;
    const generation = this.generation;
    const unanswered: CheckResult = { diagnostics: [], declares: true };
    const result = await this.request<CheckResult>({ op: "check", source }, unanswered);
    // A fallback (the checker failed) is not an answer worth remembering.
    this.lastCheck = result === unanswered ? undefined : { source, generation, result };
    return result.diagnostics;
  }

  /** Record a cell as run: its top-level declarations now replace earlier ones of the same names. */
  async accept(source: string): Promise<void> {
    this.acceptedSources.push(source);
    const memo = this.lastCheck;
    if (!(memo?.source === source && !memo.result.declares)) this.generation++;
    await this.request<undefined>({ op: "accept", source }, undefined);
  }

  async complete(source: string, cursorPos: number): Promise<CompletionResult> {
    return this.request<CompletionResult>({ op: "complete", source, cursorPos }, { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, types: [] });
  }

  async inspect(source: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    return this.request<InspectResult>({ op: "inspect", source, cursorPos, detailLevel }, { found: false, plain: "", markdown: "" });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    await Promise.race([this.request<undefined>({ op: "dispose" }, undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.worker = undefined;
    await worker.terminate();
  }

  private start(): void {
    this.generation++;
    const worker = new Worker(workerUrl(), { workerData: this.options, stdout: true });
    this.worker = worker;
    worker.unref();
    let settleReady: (ms: number | undefined) => void = () => undefined;
    let lastError = "";
    this.readyPromise = new Promise((resolve) => (settleReady = resolve));
    worker.on("message", (reply: WorkerReply) => {
      if (reply.kind === "ready") {
        settleReady(reply.warmupMs);
      } else if (reply.kind === "result") {
        this.settle(reply.id, reply.value);
      } else if (reply.kind === "error") {
        log(`checker request failed: ${reply.error}`);
        this.settle(reply.id, undefined, true);
      } else {
        lastError = reply.error;
        settleReady(undefined);
        if (reply.id !== undefined) this.settle(reply.id, undefined, true);
      }
    });
    worker.on("error", (error) => log(`checker worker error: ${error.message}`));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      settleReady(undefined);
      for (const id of [...this.pending.keys()]) this.settle(id, undefined, true);
      if (this.disposed) return;
      const why = lastError === "" ? `exit code ${code}` : lastError;
      if (this.restarts < MAX_RESTARTS) {
        this.restarts++;
        log(`checker stopped (${why}); restarting it`);
        this.start();
        for (const source of this.acceptedSources) void this.request<undefined>({ op: "accept", source }, undefined);
      } else {
        log(`checker stopped (${why}); type checking is unavailable for this session`);
      }
    });
  }

  private request<T>(body: RequestBody, fallback: T): Promise<T> {
    const worker = this.worker;
    if (worker === undefined || (this.disposed && body.op !== "dispose")) return Promise.resolve(fallback);
    const id = this.nextId++;
    // tsgo 7.0.2 panics on a lone surrogate (invalid UTF-16: JSON may carry
    // "\ude00") and then never answers again, wedging every later cell. U+FFFD
    // in its place keeps code-point offsets (cursor_pos) unchanged.
    let message: WorkerRequest;
    if ("source" in body) {
      const source = body.source.replace(LONE_SURROGATE, "\uFFFD");
      // A cell is checked, then accepted: parsed once for both.
      if (this.parsed?.source !== source) this.parsed = { source, checked: checkedText(source) };
      message = { ...body, source, checked: this.parsed.checked, id };
    } else {
      message = { ...body, id };
    }
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => this.wedged(worker), REQUEST_TIMEOUT_MS).unref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, fallback, timer });
      worker.postMessage(message);
    });
  }

  private settle(id: number, value: unknown, failed = false): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(failed ? pending.fallback : value);
  }

  /** Gives up on a worker that stopped answering: everything pending gets its fallback, later requests too. */
  private wedged(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    log(`checker did not answer within ${REQUEST_TIMEOUT_MS / 1000} s; type checking, completion and inspection are off for this session`);
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, true);
    void worker.terminate();
  }
}

/** Diagnostics as the kernel shows them: a header line, the source line, and a caret under the column. */
export function formatDiagnostics(diags: CellDiagnostic[]): string[] {
  const lines: string[] = [];
  for (const d of diags) {
    lines.push(`TS${d.code} (line ${d.line}, col ${d.column}): ${d.message}`);
    lines.push(d.sourceLine);
    const before = Array.from(d.sourceLine).slice(0, d.column - 1);
    lines.push(before.map((ch) => (ch === "\t" ? "\t" : " ")).join("") + "^");
  }
  return lines;
}

/** The compiled worker beside this module; from sources (tests run on .ts), the build's copy in dist/. */
function workerUrl(): URL {
  const here = new URL("./checker-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts") || existsSync(here)) return here;
  const built = new URL("../../dist/src/compile/checker-worker.js", import.meta.url);
  if (!existsSync(built)) throw new Error("the checker worker is not built: run `npx tsc -p tsconfig.json` first");
  return built;
}

function log(message: string): void {
  process.stderr.write(`[ephemeron checker] WARN ${message}\n`);
}
