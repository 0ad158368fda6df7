// Errors as Jupyter shows them: ename, evalue and a traceback in ipykernel's
// layout ("Cell In[4], line 2" with the cell's own lines and an arrow), stack
// positions mapped through each cell's source map back to the TypeScript the
// user wrote, and frames inside ephemeron or Node's internals left out.

import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import type { ErrorContent } from "../../kernel/messages.js";
import type { SourceMapV3 } from "./protocol.js";
import { plainText } from "./format.js";
import { sourceLines } from "./source-lines.js";
import { withoutMarks } from "./function-sources.js";

const RED = "\u001b[0;31m";
const GREEN = "\u001b[0;32m";
const BOLD_RED = "\u001b[1;31m";
const RESET = "\u001b[0m";
const RULE = "-".repeat(75);
/** Lines of context shown before the failing line, as ipykernel's default. */
const CONTEXT_LINES = 2;
/** Cells whose source and map are kept for tracebacks. */
const REMEMBERED_CELLS = 1000;

const runtimeDir = dirname(fileURLToPath(import.meta.url));
/** dist/, where ephemeron's own compiled frames live. */
const ephemeronDist = dirname(dirname(runtimeDir));

export interface CellSource {
  label: string;
  source: string;
  readonly map: SourceMap | undefined;
}

/** A cell's map is decoded when a traceback first needs it: most cells never throw, and decoding costs more than running a small cell. */
class RememberedCell implements CellSource {
  private decoded: SourceMap | undefined;

  constructor(
    readonly label: string,
    readonly source: string,
    private raw: SourceMapV3 | undefined,
  ) {}

  get map(): SourceMap | undefined {
    if (this.raw) {
      this.decoded = new SourceMap(this.raw as ConstructorParameters<typeof SourceMap>[0]);
      this.raw = undefined;
    }
    return this.decoded;
  }
}

/** Every cell run so far, by the script filename its frames carry. */
export class CellRegistry {
  private readonly cells = new Map<string, CellSource>();

  add(filename: string, label: string, source: string, map?: SourceMapV3): void {
    // Bounded: a long session must not grow by every cell's source and map. An error thrown
    // through a long-forgotten cell shows that frame as Node prints it, unmapped.
    if (this.cells.size >= REMEMBERED_CELLS) this.cells.delete(this.cells.keys().next().value!);
    this.cells.set(filename, new RememberedCell(label, source, map));
  }

  get(filename: string): CellSource | undefined {
    return this.cells.get(filename);
  }
}

interface Frame {
  text: string;
  file?: string;
  line?: number;
  column?: number;
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

function parseFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s*at /.test(line)) continue;
    const match = FRAME.exec(line.replace(/^\s*at async /, "at "));
    if (!match) frames.push({ text: line.trim() });
    else frames.push({ text: line.trim(), file: match[2], line: Number(match[3]), column: Number(match[4]) });
  }
  return frames;
}

/**
 * The function a stack line names (`Shape.area (Cell In[3]:4:11)`: "Shape.area", also `measure`,
 * `new Shape`); none for a cell's top level, an arrow function or a module's body.
 */
function calledName(text: string): string | undefined {
  const name = /^(?:at )?(?:async )?(.+?)(?: \[as [^\]]*\])? \(.*\)$/.exec(text.trim())?.[1];
  if (name === undefined || name.endsWith("<anonymous>")) return undefined;
  // V8's receiver type for a plain object (an object literal's method, a namespace's function) says nothing.
  return name.startsWith("Object.") ? name.slice("Object.".length) : name;
}

function isInternal(frame: Frame): boolean {
  const file = frame.file ?? frame.text;
  if (/^node:|node:internal|\(node:|^at node:|<anonymous>|^at new Promise/.test(file)) return true;
  return frame.file !== undefined && frame.file.replace(/^file:\/\//, "").startsWith(ephemeronDist + "/");
}

/** Errors thrown by cells come from the notebook's realm: `instanceof Object` would be false. */
function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

function errorName(error: unknown): string {
  if (isObject(error) && "name" in error && typeof error.name === "string" && error.name !== "") return subclassName(error) ?? error.name;
  // A thrown non-error (`throw "x"`, `throw 42`, `throw null`, `throw {}`) is named as
  // Node's REPL names it; its value becomes the message.
  return "Uncaught";
}

/**
 * The class of an error whose class sets no name of its own (`class ValidationError extends Error {}`):
 * its `name` is still the built-in's ("Error"), but Python names an exception by its class, and
 * Node's REPL prints it as `ValidationError: …` too. Undefined when the name was set (on the error,
 * or by a class: `name = "CustomName"`) or the error is a built-in's.
 */
function subclassName(error: object): string | undefined {
  try {
    let holder: object | null = error;
    while (holder !== null && !Object.prototype.hasOwnProperty.call(holder, "name")) holder = Object.getPrototypeOf(holder) as object | null;
    const builtin = holder === null ? undefined : (Object.getOwnPropertyDescriptor(holder, "constructor")?.value as unknown);
    // Only when `name` comes from a built-in error's prototype (its constructor is native code).
    if (typeof builtin !== "function" || !/\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(builtin))) return undefined;
    const own = (Object.getPrototypeOf(error) as { constructor?: unknown } | null)?.constructor;
    if (typeof own !== "function" || own === builtin) return undefined;
    const name = (own as { name?: unknown }).name;
    return typeof name === "string" && /^[\p{ID_Start}$_][\p{ID_Continue}$]*$/u.test(name) ? name : undefined;
  } catch {
    // A Proxy or a getter that throws: the error's own name stands.
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  if (isObject(error) && "message" in error && typeof error.message === "string") return error.message;
  return plainText(error);
}

function isErrorLike(error: unknown): error is { stack: string } {
  return isObject(error) && "stack" in error && typeof (error as { stack: unknown }).stack === "string";
}

function cellExcerpt(cell: CellSource, line: number): string[] {
  const lines = sourceLines(cell.source);
  const out: string[] = [];
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const width = String(last).length + 4;
  for (let n = first; n <= last; n++) {
    const text = lines[n - 1] ?? "";
    if (n === line) out.push(`${GREEN}--> ${String(n).padStart(width - 4)}${RESET} ${text}`);
    else out.push(`${GREEN}${String(n).padStart(width)}${RESET} ${text}`);
  }
  return out;
}

/** A frame as the notebook sees it: in a cell (or a TypeScript module), at its own line and column; or as Node printed it. */
type ShownFrame = { text: string; cell?: undefined } | { text: string; cell: CellSource; line: number; column: number };

/** The frames worth showing, outermost last as V8 lists them, positions mapped back to what the user wrote. */
function shownFrames(all: Frame[], cells: CellRegistry): ShownFrame[] {
  // A cell's script only calls the async wrapper the transform puts around the cell
  // (`(async () => { ... })()`); that call's frame, the one vm's runInContext made,
  // points at the cell's last line, not at anything the user wrote.
  const isWrapperCall = (frame: Frame, index: number) => frame.file !== undefined && cells.get(frame.file) !== undefined && /\bScript\.runInContext\b/.test(all[index + 1]?.text ?? "");
  return all
    .filter((frame, index) => !isInternal(frame) && !isWrapperCall(frame, index))
    .flatMap((frame): ShownFrame[] => {
      const cell = frame.file === undefined ? undefined : cells.get(frame.file);
      if (!cell || frame.line === undefined || frame.column === undefined) return [{ text: frame.text }];
      let { line, column } = frame;
      if (cell.map) {
        const entry = cell.map.findEntry(frame.line - 1, frame.column - 1) as { originalLine?: number; originalColumn?: number };
        // A position that maps to nothing the user wrote is in the compiled cell's own code: the call
        // of the function a top-level loop or block runs in, swc's decorator and `using` helpers.
        // Its generated line and column mean nothing in the cell (a 7-line cell's "line 10").
        if (typeof entry.originalLine !== "number") return [];
        line = entry.originalLine + 1;
        if (typeof entry.originalColumn === "number") column = entry.originalColumn + 1;
      }
      return [{ text: frame.text, cell, line, column }];
    });
}

/** The frames a notebook error's `stack` was written from (see installStackTraces), already mapped. */
const framesOfStack = new WeakMap<object, { stack: string; frames: ShownFrame[] }>();
/** Errors whose stack V8 cut at Error.stackTraceLimit frames, with that limit. */
const cutStacks = new WeakMap<object, number>();

/**
 * `error.stack` in the notebook as the user wrote the code: positions in the cell's own lines under
 * its label (`at boom (Cell In[3]:2:11)`), a TypeScript module's under its path, and no frames of
 * ephemeron's or Node's internals. Without it V8 wrote the positions of the transformed script.
 * Node asks the error's own realm for `Error.prepareStackTrace`: errors Node's modules make for a
 * cell (fs's ENOENT, URL's TypeError) are the runtime realm's, and get the same when a cell is on
 * their stack; the runtime's own errors keep V8's format.
 */
export function installStackTraces(global: Record<string, unknown>, cells: CellRegistry): void {
  const notebookError = global.Error as ErrorConstructor;
  notebookError.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => cellStack(error, sites, cells, notebookError.stackTraceLimit);
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) =>
    sites.some((site) => cells.get(site.getFileName() ?? "") !== undefined)
      ? cellStack(error, sites, cells, Error.stackTraceLimit)
      : [stackHeader(error), ...sites.map((site) => `    at ${String(site)}`)].join("\n");
}

/** The first line of a stack, as V8 writes it. */
function stackHeader(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    // A getter on name or message that throws: V8 would print a bare "Error" too.
    return "Error";
  }
}

function cellStack(error: Error, sites: NodeJS.CallSite[], cells: CellRegistry, limit: number): string {
  const header = stackHeader(error);
  // V8 kept only the newest `limit` frames. When the oldest it kept is a cell's, the cut fell among
  // the notebook's own calls (a recursion's thousands), not among the runtime's below them.
  const oldest = sites.at(-1)?.getFileName() ?? undefined;
  if (sites.length >= limit && oldest !== undefined && cells.get(oldest) !== undefined && typeof error === "object" && error !== null) {
    cutStacks.set(error, limit);
  }
  try {
    const frames = shownFrames(
      sites.map((site) => ({ text: site.toString(), file: site.getFileName() ?? undefined, line: site.getLineNumber() ?? undefined, column: site.getColumnNumber() ?? undefined })),
      cells,
    );
    const lines = frames.map((frame, index) => {
      if (!frame.cell) return `    at ${frame.text}`;
      const site = sites.find((s) => s.toString() === frame.text) ?? sites[index];
      const where = `${site?.getFileName() ?? ""}:${site?.getLineNumber() ?? ""}:${site?.getColumnNumber() ?? ""}`;
      return `    at ${frame.text.replace(where, `${stackName(frame.cell)}:${frame.line}:${frame.column}`)}`;
    });
    const stack = [header, ...lines].join("\n");
    if (typeof error === "object" && error !== null) framesOfStack.set(error, { stack, frames });
    return stack;
  } catch {
    return [header, ...sites.map((site) => `    at ${String(site)}`)].join("\n");
  }
}

/** How a stack line names a cell (its label) or a TypeScript module (its path). */
function stackName(cell: CellSource): string {
  return cell.label.startsWith("File ") ? cell.label.slice("File ".length) : cell.label;
}

/** Identical frames in a row shown before the rest are summed up, as Python does for deep recursion. */
const REPEATS_SHOWN = 3;
/** Errors an AggregateError holds that are shown; the rest are counted. */
const AGGREGATED_SHOWN = 10;

export function formatError(error: unknown, cells: CellRegistry, depth = 0, seen = new Set<unknown>()): ErrorContent {
  seen.add(error);
  const ename = errorName(error);
  const evalue = withoutMarks(errorMessage(error));
  const traceback: string[] = [RULE];
  if (isErrorLike(error)) {
    traceback.push(`${RED}${ename}${RESET}${" ".repeat(Math.max(1, 42 - ename.length))}Traceback (most recent call last)`);
    // Reading `stack` writes it (and its frames) if the notebook's Error made it.
    const stack = error.stack;
    // The frames the stack was written from, unless something wrote the stack again since
    // (syntax-error-place.ts: the place of a module that does not parse).
    const written = framesOfStack.get(error);
    const frames = (written?.stack === stack ? written.frames : shownFrames(parseFrames(stack), cells)).slice().reverse();
    const limit = written === undefined || written.stack === stack ? cutStacks.get(error) : undefined;
    if (limit !== undefined) traceback.push(`[Older calls not recorded: the stack keeps the newest ${limit} (Error.stackTraceLimit)]`, "");
    for (let i = 0; i < frames.length; ) {
      const frame = frames[i]!;
      let run = 1;
      while (i + run < frames.length && sameFrame(frames[i + run]!, frame)) run++;
      for (let shown = 0; shown < Math.min(run, REPEATS_SHOWN); shown++) {
        // IPython's header names the function a frame is in ("Cell In[3], line 2, in area()").
        const name = frame.cell ? calledName(frame.text) : undefined;
        const within = name === undefined ? "" : `, in ${name}()`;
        if (frame.cell) traceback.push(`${frame.cell.label}, line ${frame.line}${within}`, ...cellExcerpt(frame.cell, frame.line), "");
        else traceback.push(frame.text);
      }
      // The oldest run of a cut stack may go on among the calls that were not recorded.
      const atLeast = limit !== undefined && i === 0 ? "at least " : "";
      if (run > REPEATS_SHOWN) traceback.push(`[Previous frame repeated ${atLeast}${run - REPEATS_SHOWN} more times]`, "");
      i += run;
    }
  }
  traceback.push(`${BOLD_RED}${ename}${RESET}: ${evalue}`);
  const extra = extraProperties(error);
  if (extra !== undefined) traceback.push(extra);
  const aggregated = isObject(error) && ename === "AggregateError" && "errors" in error && Array.isArray(error.errors) ? (error.errors as unknown[]) : [];
  for (const [index, inner] of aggregated.slice(0, AGGREGATED_SHOWN).entries()) {
    if (seen.has(inner) || depth >= 4) continue;
    traceback.push("", `The above error holds, as error ${index + 1} of ${aggregated.length}:`, ...formatError(inner, cells, depth + 1, seen).traceback.slice(1));
  }
  if (aggregated.length > AGGREGATED_SHOWN) traceback.push("", `…and ${aggregated.length - AGGREGATED_SHOWN} more errors.`);
  const cause = isObject(error) && "cause" in error ? error.cause : undefined;
  if (cause !== undefined && seen.has(cause)) {
    traceback.push("", "The above error was caused by an error shown above (its causes form a cycle).");
  } else if (cause !== undefined && depth < 4) {
    const inner = formatError(cause, cells, depth + 1, seen);
    traceback.push("", "The above error was caused by:", ...inner.traceback.slice(1));
  }
  return { ename, evalue, traceback };
}

/** Properties an error carries beyond its message (`code`, `errno`, `path`, a notebook's `status`), as Node's REPL prints them after the stack. */
const SHOWN_ELSEWHERE = new Set(["stack", "message", "name", "cause", "errors"]);

function extraProperties(error: unknown): string | undefined {
  if (!isErrorLike(error)) return undefined;
  try {
    const own = Object.keys(error).filter((key) => !SHOWN_ELSEWHERE.has(key));
    if (own.length === 0) return undefined;
    return plainText(Object.fromEntries(own.map((key) => [key, (error as unknown as Record<string, unknown>)[key]])));
  } catch {
    // a getter or a Proxy trap that throws: the message is enough
    return undefined;
  }
}

function sameFrame(a: ShownFrame, b: ShownFrame): boolean {
  return a.cell ? a.cell === b.cell && a.line === b.line && a.column === (b as { column?: number }).column : !b.cell && a.text === b.text;
}
