// The kernel's TypeScript side for one session: each cell is type-checked
// against the cells run before it, transformed into a re-runnable script with
// a source map, and completion, inspection and is_complete are answered over
// the same cells. Loaded by the kernel process only.

import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorContent } from "../../kernel/messages.js";
import type { CellCompiler, CompiledCell } from "../../kernel/execute.js";
import type { SourceMapV3, TranspiledFile } from "../runtime/protocol.js";
import type { LanguageTools } from "../../kernel/kernel.js";
import type { CellChecker } from "./checker.js";
import { parsesAsTypeScript } from "./swc.js";
import { caretUnder } from "./code-points.js";
import { sourceLines } from "../runtime/source-lines.js";
import { createLogger } from "../../kernel/log.js";

const log = createLogger("compile");
const RED = "\u001b[0;31m";
const RESET = "\u001b[0m";

/**
 * The ambient declarations of the runtime's globals, in types/ of the package: the types
 * (types/*.d.ts), and the values a cell may declare again (types/values/*.d.ts: weakref, id,
 * display…, taken as the session's first cell).
 */
function globalsDeclarations(folder = ""): string[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "types", folder);
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".d.ts"))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** Loaded on first use, not at start-up: kernel_info is answered before any of it has loaded. */
const loadTransform = () => import("./transform.js");
type TransformModule = Awaited<ReturnType<typeof loadTransform>>;
/**
 * Loaded when the first is_complete_request arrives: TypeScript's scanner brings its syntax
 * library along (~10 MB and ~60 ms), and only terminal frontends such as jupyter console ask.
 */
const loadIsComplete = () => import("./is-complete.js");
/** Loaded once the sockets answer: the checker's modules (and tsgo's launch) are not on kernel_info's way. */
const loadChecker = () => import("./checker.js");

export class SessionCompiler implements CellCompiler, LanguageTools {
  private modules: Promise<TransformModule> | undefined;
  private scanner: ReturnType<typeof loadIsComplete> | undefined;
  /** The last cell transformed: a cell run again (or `1 + 1` sent in a loop) is not transformed again. */
  private lastTransform: { source: string; typeOnlyImports: string; cell: CompiledCell } | undefined;
  /** The checker, once its module has loaded; `checkerLoading` from the moment it is asked for. */
  private checker: CellChecker | undefined;
  private checkerLoading: Promise<CellChecker> | undefined;
  /** Cells run while no checker existed (type checking off), replayed when completion first needs one. */
  private readonly unchecked: string[] = [];

  constructor(private readonly options: { typecheck: boolean }) {}

  private load(): Promise<TransformModule> {
    this.modules ??= loadTransform();
    return this.modules;
  }

  /** As soon as the sockets answer: the checker's warm-up (tsgo loading the libraries) is the long pole, and runs beside the rest. */
  startChecker(): void {
    if (this.options.typecheck) void this.checkerReady();
  }

  /** Once the sockets answer: the transform (swc), loaded on this thread. */
  preload(): void {
    void this.load();
  }

  /** The checker, started on first use (tsgo starts once its module has loaded; requests queue until it is warm). */
  private checkerReady(): Promise<CellChecker> {
    if (this.checkerLoading === undefined) {
      const loading: Promise<CellChecker> = loadChecker().then(({ CellChecker }) => {
        const checker = new CellChecker({ cwd: process.cwd(), globalsDts: globalsDeclarations(), globalValues: globalsDeclarations("values") });
        // Forgotten while its module loaded (forgetCells): a checker nobody will ask.
        if (this.checkerLoading !== loading) {
          void checker.dispose();
          return checker;
        }
        this.checker = checker;
        for (const source of this.unchecked.splice(0)) void checker.accept(source);
        return checker;
      });
      this.checkerLoading = loading;
    }
    return this.checkerLoading;
  }

  async compile(typed: string, filename: string): Promise<{ cell: CompiledCell } | { error: ErrorContent }> {
    // Windows line endings (a cell from a client on Windows) as `\n`: every line keeps its number
    // and its columns, and swc numbered the lines of a cell ending in a lone `\r` wrongly.
    const written = typed.replace(/\r\n?/g, "\n");
    // A first-line `#!` is allowed in a script file (tsc and Node skip it); the same length of comment keeps every position.
    const unbanged = written.startsWith("#!") ? `//${written.slice(2)}` : written;
    // `{ a: 1 }` is an object to a REPL user, and Node's REPL shows it so; as a script it is a block.
    const source = asObjectLiteral(unbanged) ?? unbanged;
    const modules = this.load();
    // tsgo checks the cell in its own process while this thread transforms it; but first tsgo
    // reads the cell from this thread and builds a new program, and this thread must be free to
    // answer and to ask for the diagnostics (the transform would hold it): it transforms while
    // tsgo computes them. (While tsgo warms up the transform goes first: the cell would wait for
    // the warm-up anyway.)
    let handedOver: () => void = () => undefined;
    const free = new Promise<void>((resolve) => (handedOver = resolve));
    const checker = this.options.typecheck ? await this.checkerReady() : undefined;
    const warm = checker?.warm === true;
    const checking = checker?.check(source, handedOver);
    if (checking && warm) await free;
    const { transformCell, CellSyntaxError } = await modules;
    const transform = (typeOnlyImports: readonly string[]): CompiledCell => {
      const last = this.lastTransform;
      const key = typeOnlyImports.join(" ");
      // The transform depends on the source (and the names left out) alone; the map names the cell's script.
      if (last?.source === source && last.typeOnlyImports === key) return { ...last.cell, map: last.cell.map && { ...last.cell.map, sources: [filename] } };
      const transformed = transformCell(source, { filename, typeOnlyImports });
      const cell: CompiledCell = { code: transformed.code, map: transformed.map, ...(transformed.functions && { functions: transformed.functions }) };
      this.lastTransform = { source, typeOnlyImports: key, cell };
      return cell;
    };
    let cell: CompiledCell;
    try {
      cell = transform([]);
    } catch (error) {
      if (error instanceof CellSyntaxError) return { error: syntaxError(error, written) };
      throw error;
    }
    const diagnostics = ((await checking) ?? []).map((d) => (source === unbanged || d.line !== 1 || d.file !== undefined ? d : { ...d, column: d.column - 1, sourceLine: sourceLines(written)[0] ?? "" }));
    // `import { SpawnOptions }` without `type`: known to be a type only once checked (rare; the transform takes ~0.1 ms).
    const typeOnlyImports = checker?.typeOnlyImports(source) ?? [];
    if (typeOnlyImports.length > 0) cell = transform(typeOnlyImports);
    if (diagnostics.length > 0) {
      const { formatDiagnostics, diagnosticHeader } = await loadChecker();
      const lines = formatDiagnostics(diagnostics);
      const count = diagnostics.length === 1 ? "1 type error" : `${diagnostics.length} type errors`;
      return {
        error: {
          ename: "TypeScriptError",
          evalue: `${count}: ${diagnostics.map(diagnosticHeader).join("; ")}`,
          traceback: [`${RED}TypeScriptError${RESET}: ${count}; the cell did not run`, ...lines],
        },
      };
    }
    return { cell };
  }

  /** A TypeScript file a cell imports, types stripped for the runtime; a syntax error names its place in the file. */
  async transpileFile(path: string): Promise<TranspiledFile> {
    const source = await readFile(path, "utf8");
    const { stripTypes, mendedModule, cellSyntaxError } = await this.load();
    try {
      return { source, ...mendedModule(stripTypes(source, path, "module"), path, source) };
    } catch (error) {
      const syntax = cellSyntaxError(error, source);
      throw new SyntaxError(`${path}:${syntax.line}:${syntax.column}: ${syntax.message}`);
    }
  }

  accepted(source: string): void {
    if (!this.checker) {
      this.unchecked.push(source);
      return;
    }
    this.checker.accept(source).catch((error: Error) => log.warn(`checker could not take the cell: ${error.message}`));
  }

  /**
   * The runtime lost every variable: a fresh checker (and tsgo) that knows none of the cells run so
   * far, started at once as at kernel start.
   */
  forgetCells(): void {
    this.unchecked.length = 0;
    const old = this.checkerLoading;
    this.checker = undefined;
    this.checkerLoading = undefined;
    void old?.then((checker) => checker.dispose());
    this.startChecker();
  }

  async complete(code: string, cursorPos: number) {
    const result = await (await this.checkerReady()).complete(code, cursorPos);
    return {
      matches: result.matches,
      cursor_start: result.cursorStart,
      cursor_end: result.cursorEnd,
      metadata: { _jupyter_types_experimental: result.types },
    };
  }

  /** At detail level 1 (ipykernel's `??`), a cell's function or class with its source. */
  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1, withSource = detailLevel === 1) {
    const result = await (await this.checkerReady()).inspect(code, cursorPos, detailLevel);
    const source = withSource ? result.source : undefined;
    const plain = source === undefined ? result.plain : `${result.plain}\n\nSource:\n${source}`;
    const markdown = source === undefined ? result.markdown : `${result.markdown}\n\nSource:\n\n\`\`\`typescript\n${source}\n\`\`\``;
    return {
      found: result.found,
      data: result.found ? { "text/plain": plain, "text/markdown": markdown } : {},
      metadata: {},
      ...(result.valuePath && { valuePath: result.valuePath }),
    };
  }

  /** `x?`'s page, and `x??`'s (`withSource`): with the source of a function or class a cell declared. */
  async help(expression: string, withSource = false) {
    const inspected = await this.inspect(expression, [...expression].length, 1, withSource);
    return inspected.found ? inspected.data : undefined;
  }

  /** Whether swc parses `code` as TypeScript (what a cell is compiled from). */
  parses(code: string): boolean {
    return parsesAsTypeScript(code);
  }

  async isComplete(code: string) {
    this.scanner ??= loadIsComplete();
    return (await this.scanner).isComplete(code);
  }

  async dispose(): Promise<void> {
    await (await this.checkerLoading)?.dispose();
  }
}

/**
 * A cell that is one object literal in braces (`{ a: 1 }`, `{ "a": 1, "b": 2 }`), wrapped in
 * parentheses so that it is one: Node's REPL reads such input the same way. A block that is no
 * object (`{ const a = 1; f(a) }`) does not parse so, and stays a block. The `(` shifts only the
 * first line's columns; the newline keeps a trailing line comment from swallowing the `)`.
 */
function asObjectLiteral(source: string): string | undefined {
  const trimmed = source.trim();
  if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) return undefined;
  const wrapped = `(${source}\n)`;
  return parsesAsTypeScript(wrapped) ? wrapped : undefined;
}

function syntaxError(error: { message: string; line: number; column: number }, source: string): ErrorContent {
  const line = sourceLines(source)[error.line - 1] ?? "";
  return {
    ename: "SyntaxError",
    evalue: error.message,
    traceback: [
      `${RED}SyntaxError${RESET}: ${error.message} (line ${error.line}, col ${error.column})`,
      `    ${line}`,
      `    ${caretUnder(line, error.column)}`,
    ],
  };
}
