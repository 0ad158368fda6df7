// Type checking across cells, completion and inspection for the kernel, in
// TypeScript 7's native checker (tsgo), a child process spoken to through the
// event loop (tsgo-channel.ts), so the kernel's thread keeps answering
// heartbeats and control messages while tsgo works. tsgo is started, and told
// to load the project, as soon as the CellChecker is created: before
// TypeScript's JavaScript API (cell-project.ts) has even loaded. If tsgo dies
// (or is canceled by a signal), the checker logs one line to stderr and starts
// a fresh one once, with the accepted cells, which answers the request that was
// waiting; after that, it answers as if each cell had no errors.

import { readFileSync } from "node:fs";
import type { CellDiagnostic, CheckResult, CompletionResult, InspectResult } from "./checker-types.js";
import { checkedText, NO_CHECK, type CheckedText } from "./cell-source.js";
import type { CellProject, CellProjectOptions } from "./cell-project.js";
import { CellFiles } from "./cell-files.js";
import { caretUnder } from "./code-points.js";
import { TsgoChannel, tsgoPath } from "./tsgo-channel.js";
import { createLogger } from "../../kernel/log.js";

const log = createLogger("checker");
/** Milliseconds since this process started, for the start-up timeline in the debug log. */
const sinceStart = () => `${performance.now().toFixed(0)} ms after start`;

export type { CellDiagnostic, CompletionResult, InspectResult } from "./checker-types.js";

const MAX_RESTARTS = 1;
/** A request to send again to the tsgo that replaced the one that died while it was answering. */
const RETRY: unique symbol = Symbol("retry");
/**
 * A request tsgo has not answered in this long has wedged it: the cell runs unchecked rather than
 * every later request waiting forever, and checking is off for the session.
 */
const REQUEST_TIMEOUT_MS = 30_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * tsgo's garbage collector target (Go's GOGC; its default is 100). Each cell makes a new program
 * and checker; with the default the heap keeps growing into fresh pages, and on this kind of
 * machine touching new pages costs more than collecting more often. Measured per cell: update
 * 1.0 → 0.85 ms, diagnostics 1.8 → 1.0 ms, resident 70 → 58 MB; the warm-up takes ~50 ms longer.
 * Measured again against 25, interleaved over 200 cells: GOGC=50 saves ~0.3 ms of tsgo CPU per
 * cell but no time (+6 MB), GOMAXPROCS=1 is slower, GODEBUG=madvdontneed=0 changes nothing.
 */
const TSGO_GOGC = "25";

/** One tsgo and the project over it; `project` settles once the warm-up is done (undefined if it failed). */
interface Checker {
  files: CellFiles;
  channel: TsgoChannel | undefined;
  project: Promise<CellProject | undefined>;
}

export class CellChecker {
  private current: Checker;
  /** Requests run one at a time, in order: a project's methods are not reentrant. */
  private queue: Promise<unknown> = Promise.resolve();
  private restarts = 0;
  private disposed = false;
  private gaveUp = false;
  private readonly acceptedSources: string[] = [];
  /** Modules the accepted cells declare rather than augment (CellProject's declaredModules): kept across tsgo's restarts, as the cells are. */
  private readonly declaredModules = new Set<string>();
  /** Counts changes to what cells see (accepted declarations, a new tsgo): a check's answer holds within one. */
  private generation = 0;
  private lastCheck: { source: string; generation: number; result: CheckResult } | undefined;
  private parsed: { source: string; checked: CheckedText } | undefined;
  private readyPromise: Promise<number | undefined> = Promise.resolve(undefined);
  private readonly options: CellProjectOptions;

  /** How long tsgo may leave a request unanswered before it is given up on (REQUEST_TIMEOUT_MS). */
  private readonly requestTimeoutMs: number;

  constructor(options: Partial<CellProjectOptions> = {}, limits: { requestTimeoutMs?: number } = {}) {
    this.options = { cwd: options.cwd ?? process.cwd(), globalsDts: options.globalsDts ?? [], globalValues: options.globalValues ?? [] };
    this.requestTimeoutMs = limits.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.current = this.start();
  }

  /** Resolves with the warm-up time in ms once the checker has loaded (undefined if it is unavailable). */
  ready(): Promise<number | undefined> {
    return this.readyPromise;
  }

  /** Whether the warm-up is done: a check then goes to tsgo at once, not behind it. */
  get warm(): boolean {
    return this.warmed;
  }

  private warmed = false;

  /** Whether the checker is running (false after it failed twice, wedged, or was disposed). */
  get available(): boolean {
    return !this.disposed && !this.gaveUp && this.current.channel?.alive !== false;
  }

  /**
   * Type-check a cell against all accepted cells; does not accept it. The same cell checked again
   * while the accepted cells are unchanged gets the same answer without a trip to the checker
   * (running `1 + 1` again, or a cell that printed something, costs nothing to check), unless a
   * file of the notebook's that the checker read was edited since.
   * `handedOver` runs (once) when tsgo needs nothing more of this thread for the check (CellProject.check).
   */
  async check(source: string, handedOver: () => void = () => undefined): Promise<CellDiagnostic[]> {
    try {
      // Nothing to ask the checker, so nothing to wait for while it warms up.
      if (NO_CHECK.test(source)) return [];
      const memo = this.lastCheck;
      if (memo?.source === source && memo.generation === this.generation && !this.current.files.sourcesEdited()) return memo.result.diagnostics;
      return await this.checkWithTsgo(source, handedOver);
    } finally {
      handedOver();
    }
  }

  private async checkWithTsgo(source: string, handedOver: () => void): Promise<CellDiagnostic[]> {
    const generation = this.generation;
    const unanswered: CheckResult = { diagnostics: [], declares: true, typeOnlyImports: [] };
    const result = await this.run(source, unanswered, (project, cell, checked) => project.check(cell, checked, handedOver));
    // A fallback (the checker failed) is not an answer worth remembering.
    this.lastCheck = result === unanswered ? undefined : { source, generation, result };
    return result.diagnostics;
  }

  /**
   * The names `source`'s `import { … }` takes that are types only, as its check found them (none
   * when it was not checked, or the checker did not answer): the run leaves them out, as tsc's
   * output does, for the module has no such export.
   */
  typeOnlyImports(source: string): readonly string[] {
    const memo = this.lastCheck;
    return memo?.source === source && memo.generation === this.generation ? memo.result.typeOnlyImports : [];
  }

  /** Record a cell as run: its top-level declarations now replace earlier ones of the same names. */
  async accept(source: string): Promise<void> {
    this.acceptedSources.push(source);
    const memo = this.lastCheck;
    if (!(memo?.source === source && !memo.result.declares)) this.generation++;
    // Not sent again if tsgo dies answering it: the fresh tsgo is given every accepted cell (stopped()).
    await this.run(source, undefined, async (project, cell, checked) => project.accept(cell, checked), false);
  }

  async complete(source: string, cursorPos: number): Promise<CompletionResult> {
    const none: CompletionResult = { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos, types: [] };
    return this.run(source, none, (project, cell, checked) => project.complete(cell, cursorPos, checked));
  }

  async inspect(source: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    const none: InspectResult = { found: false, plain: "", markdown: "" };
    return this.run(source, none, (project, cell, checked) => project.inspect(cell, cursorPos, detailLevel, checked));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const { channel } = this.current;
    channel?.close();
    await channel?.exited;
  }

  private start(): Checker {
    this.generation++;
    const started = performance.now();
    const { cwd, globalsDts, globalValues = [] } = this.options;
    const files = new CellFiles(cwd, globalsDts, globalValues.map((file) => readFileSync(file, "utf8")));
    const checker: Checker = { files, channel: undefined, project: Promise.resolve(undefined) };
    checker.project = (async () => {
      const channel = new TsgoChannel({ exe: tsgoPath(), cwd, fs: files.fileSystem(), env: { GOGC: TSGO_GOGC } });
      checker.channel = channel;
      log.debug(`tsgo ${channel.pid ?? "?"} spawned, ${sinceStart()}`);
      void channel.exited.then((why) => this.stopped(checker, why));
      // tsgo loads the libraries and @types/node (~0.3 s) while TypeScript's API loads here.
      const preloaded = channel.request("updateSnapshot", { openProjects: [files.tsconfig] }).then(
        (opened) => (log.debug(`tsgo loaded the project, ${sinceStart()}`), opened),
        () => undefined,
      );
      const { CellProject } = await import("./cell-project.js");
      const project = await CellProject.open(files, channel, this.options, this.declaredModules, preloaded);
      log.debug(`checker warm, ${sinceStart()}`);
      return project;
    })().catch((error: Error) => {
      // Closed before it was warm (the kernel shut down, or forgot its cells): nothing went wrong.
      if (!this.disposed) log.warn(`checker could not start: ${error.message}`);
      checker.channel?.close();
      return undefined;
    });
    this.readyPromise = checker.project.then((project) => {
      if (project === undefined) return undefined;
      this.warmed = true;
      return performance.now() - started;
    });
    return checker;
  }

  /** tsgo went away: a fresh one, once, that knows the accepted cells. */
  private stopped(checker: Checker, why: string): void {
    if (checker !== this.current || this.disposed || this.gaveUp) return;
    if (this.restarts >= MAX_RESTARTS) {
      log.warn(`checker stopped (${why}); type checking is unavailable for this session`);
      this.gaveUp = true;
      return;
    }
    this.restarts++;
    log.warn(`checker stopped (${why}); restarting it`);
    this.current = this.start();
    for (const source of this.acceptedSources) void this.run(source, undefined, async (project, cell, checked) => project.accept(cell, checked), false);
  }

  /**
   * Runs `op` on the project once the requests before it are done; `fallback` when there is no
   * checker, it fails, or it does not answer in time. `mayRetry`: if tsgo dies while answering, `op`
   * goes again to the tsgo that replaces it.
   */
  private run<T>(source: string, fallback: T, op: (project: CellProject, cell: string, checked: () => CheckedText) => Promise<T>, mayRetry = true): Promise<T> {
    // tsgo 7.0.2 panics on a lone surrogate (invalid UTF-16: JSON may carry
    // "\ude00") and then never answers again, wedging every later cell. U+FFFD
    // in its place keeps code-point offsets (cursor_pos) unchanged.
    const cell = source.replace(LONE_SURROGATE, "\uFFFD");
    // A cell is checked, then accepted: parsed once for both, when the project first needs it
    // (a check may have sent the cell to tsgo before, and parses it while tsgo works).
    const checked = (): CheckedText => {
      if (this.parsed?.source !== cell) this.parsed = { source: cell, checked: checkedText(cell) };
      return this.parsed.checked;
    };
    const answer = this.queue.then(async (): Promise<T | typeof RETRY> => {
      const checker = this.current;
      const project = await checker.project;
      if (project === undefined || !this.available) return fallback;
      let settled = false;
      const watch = (): NodeJS.Timeout => {
        const armed = performance.now();
        return setTimeout(() => {
          // A turn later, once what waits in tsgo's pipe has been read: the kernel's own thread may
          // have been the one that was busy (a huge cell's parse), with tsgo's answer long there.
          setImmediate(() => {
            if (settled) return;
            // Fired late: the thread was blocked past the deadline; that time was not tsgo's.
            if (performance.now() - armed > this.requestTimeoutMs * 1.5) timer = watch();
            else this.wedged(checker);
          });
        }, this.requestTimeoutMs).unref();
      };
      let timer = watch();
      try {
        return await op(project, cell, checked);
      } catch (error) {
        if (checker.channel?.alive) {
          log.warn(`checker request failed: ${(error as Error).message}`);
          return fallback;
        }
        // tsgo went away during the request: once its exit is seen, a fresh one is starting (stopped()),
        // with the accepted cells queued to it; this request goes after them, so the cell is still checked.
        await checker.channel?.exited;
        return !mayRetry || this.current === checker ? fallback : RETRY;
      } finally {
        settled = true;
        clearTimeout(timer);
      }
    });
    // Snapshots the answer replaced are released after it has gone out, before the next request.
    this.queue = answer.then(async () => {
      const project = await this.current.project;
      if (project !== undefined && this.available) await project.releaseStale().catch(() => undefined);
    });
    return answer.then((value) => (value === RETRY ? this.run(source, fallback, op, false) : value));
  }

  /** Gives up on a tsgo that stopped answering: what waits gets its fallback, later requests too. */
  private wedged(checker: Checker): void {
    if (checker !== this.current || this.gaveUp) return;
    this.gaveUp = true;
    log.warn(`checker did not answer within ${this.requestTimeoutMs / 1000} s; type checking, completion and inspection are off for this session`);
    checker.channel?.close();
  }
}

/** Diagnostics as the kernel shows them: a header line, the source line, and a caret under the column. */
export function formatDiagnostics(diags: CellDiagnostic[]): string[] {
  const lines: string[] = [];
  for (const d of diags) {
    lines.push(diagnosticHeader(d));
    lines.push(d.sourceLine);
    lines.push(caretUnder(d.sourceLine, d.column));
  }
  return lines;
}


/** A diagnostic in one line: `TS2322 (line 3, col 7): …`, or `TS2322 (./geometry.ts, line 3, col 7): …` in an imported file. */
export function diagnosticHeader(d: CellDiagnostic): string {
  return `TS${d.code} (${d.file === undefined ? "" : `${d.file}, `}line ${d.line}, col ${d.column}): ${d.message}`;
}
