// The virtual TypeScript project the checker keeps: one global-script file per
// accepted cell, plus a scratch file for the cell being checked, completed or
// inspected. It drives TypeScript 7's native checker through the synchronous
// API, so it runs inside the checker's worker thread (checker-worker.ts).
//
// Files come from a pool that the project's tsconfig lists from the start and
// are reported as `changed` (1 ms per update, measured in
// notes/typescript7-checker.md); when the pool runs out it doubles. A name a
// later cell (or the scratch cell) declares again is renamed, in every earlier
// cell's file, to a name nobody uses: the newest declaration wins, as at run
// time. A cell file left with no names returns to the pool.
//
// The files are never written: tsgo asks this thread for them through the
// API's readFile callback. They are named as if they were in the notebook's
// folder, so that a cell's imports resolve from there as Node resolves them at
// run time (`./helper.js` beside the notebook, packages in any node_modules
// above it); tsgo reads everything else from the disk itself.

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { API, DiagnosticCategory, SymbolFlags, type Diagnostic, type Project, type Snapshot, type Symbol as TsSymbol } from "typescript/unstable/sync";
import type { FileSystem } from "typescript/unstable/fs";
import { NodeFlags, SyntaxKind } from "typescript/unstable/ast";
import { codePointToUtf16, lineAndColumn, utf16ToCodePoint } from "./code-points.js";
import { checkedText, sourceOffset, type AppendedDeclaration, type CheckedText, type DeclaredName } from "./cell-source.js";
import type { CellDiagnostic, CheckResult, CompletionResult, InspectResult } from "./checker-types.js";

export interface CellProjectOptions {
  /** The notebook's folder: packages installed beside it resolve from here. */
  cwd: string;
  /** Absolute paths of ambient `.d.ts` files every cell sees. */
  globalsDts: string[];
  /**
   * Absolute paths of ambient declarations of values (`declare var input: …`) that a cell may
   * declare again: taken as the session's first cells, so that a later declaration replaces them.
   */
  globalValues?: string[];
}

/**
 * Codes that do not apply to a cell: top-level `await` / `for await` in a script (the runtime
 * wraps cells in an async function), and 7016, a package without type declarations: in a
 * notebook it is used as `any`, as Node would run it, rather than refused. 2311: a script reads
 * a top-level `await (x)` as a call to a function named `await`; the runtime runs it as an await.
 */
/**
 * tsgo's garbage collector target (Go's GOGC; its default is 100). Each cell makes a new program
 * and checker; with the default the heap keeps growing into fresh pages, and on this kind of
 * machine touching new pages costs more than collecting more often. Measured per cell: update
 * 1.0 → 0.85 ms, diagnostics 1.8 → 1.0 ms, resident 70 → 58 MB; the warm-up takes ~50 ms longer.
 */
const TSGO_GOGC = "25";

/** Runs `start` (which spawns tsgo) with GOGC set to `value`, without leaving it in this thread's environment. */
function withGoGc<T>(value: string, start: () => T): T {
  const saved = process.env.GOGC;
  process.env.GOGC = value;
  try {
    return start();
  } finally {
    if (saved === undefined) delete process.env.GOGC;
    else process.env.GOGC = saved;
  }
}

/**
 * Checked while the checker warms up (every later request writes its own text over it): the checker
 * resolves the library types a cell touches (arrays, strings, console, promises, the runtime's
 * globals) on first use, ~40 ms that the first cell of a session would otherwise wait for.
 */
const WARM_UP_CELL = [
  "interface __EphemeronWarmUp { label: string; values: number[] }",
  'const __ephemeronWarmUp: __EphemeronWarmUp = { label: "x".padStart(2), values: [1, 2].map((n) => n * 2) };',
  "console.log(__ephemeronWarmUp.values.join(\", \"), new Map<string, number>().get(\"a\"), JSON.stringify({}));",
  "const __ephemeronWarmRef = weakref.ref(__ephemeronWarmUp);",
  "await Promise.all([gc(), Promise.resolve(1)]);",
  "class __EphemeronWarmClass { constructor(readonly n: number) {} }",
  "__ephemeronWarmRef()?.label ?? new __EphemeronWarmClass(1).n",
].join("\n");

const IGNORED_CODES = new Set([1375, 1378, 1431, 1432, 2311, 7016]);
const INITIAL_POOL = 32;
/**
 * "'gc' is possibly 'undefined'" (18048) and "cannot invoke … possibly 'undefined'" (2722) on
 * `gc` itself: @types/node declares V8's `gc` as optional, but the runtime always installs
 * ephemeron's `gc` (types/memory.d.ts merges its members into that declaration).
 */
const ALWAYS_DEFINED_GLOBALS = new Set(["gc"]);
const POSSIBLY_UNDEFINED_CODES = new Set([18048, 2722]);

function appliesToCell(diagnostic: Diagnostic, text: string): boolean {
  if (diagnostic.category !== DiagnosticCategory.Error || IGNORED_CODES.has(diagnostic.code)) return false;
  return !(POSSIBLY_UNDEFINED_CODES.has(diagnostic.code) && ALWAYS_DEFINED_GLOBALS.has(text.slice(diagnostic.pos, diagnostic.end).trim()));
}

interface CompletionEntryLike {
  name: string;
  kind: string;
  sortText: string;
}

const KEYWORDS = [
  "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "declare", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof",
  "interface", "keyof", "let", "namespace", "new", "null", "of", "readonly", "return", "satisfies", "static", "super", "switch",
  "this", "throw", "true", "try", "type", "typeof", "undefined", "unique", "var", "void", "while", "yield",
];

/** A cell and the text the checker gets for it (imports and exports rewritten, stand-ins appended). */
interface PreparedCell extends CheckedText {
  source: string;
  /** Where the cell's own text ends in `text` and the stand-ins begin. */
  ownLength: number;
}

interface AcceptedCell {
  file: string;
  text: string;
  names: DeclaredName[];
  unnamed: boolean;
  shadowed: Set<string>;
  serial: number;
}

export class CellProject {
  /** What the names of this project's files start with: `.ephemeron-PID-THREAD-` in the notebook's folder. */
  private readonly prefix: string;
  private readonly tsconfig: string;
  /** The file of the cell being checked: when that cell is accepted, its file becomes the cell's, and a free one the scratch. */
  private scratch: string;
  private readonly files = new Map<string, string>();
  private readonly api: API;
  private snapshot: Snapshot;
  private project: Project;
  private readonly free: string[] = [];
  private poolSize = 0;
  private readonly accepted: AcceptedCell[] = [];
  private serial = 0;
  private lastPrepared: PreparedCell | undefined;
  /** The names the accepted cells were last rendered without (the scratch cell's, at the last sync). */
  private replacedNow = new Set<string>();

  constructor(private readonly options: CellProjectOptions) {
    this.prefix = path.join(options.cwd, `.ephemeron-${process.pid}-${threadId}-`);
    this.tsconfig = `${this.prefix}tsconfig.json`;
    this.scratch = `${this.prefix}scratch.ts`;
    this.files.set(this.scratch, "");
    this.growPool(INITIAL_POOL);
    for (const file of options.globalValues ?? []) {
      const text = fs.readFileSync(file, "utf8");
      this.accept(text, { text, appended: [], names: ambientValueNames(text), unnamed: false, inserted: [] });
    }
    // In the project from its first load: no update needed for them.
    for (const [file, text] of this.wanted("", new Set())) this.files.set(file, text);
    this.api = withGoGc(TSGO_GOGC, () => new API({ cwd: options.cwd, fs: this.fileSystem() }));
    this.snapshot = this.api.updateSnapshot({ openProjects: [this.tsconfig] });
    this.project = this.currentProject();
    // Warm up: load the libraries and @types/node and check a cell that uses what most cells do.
    this.check(WARM_UP_CELL);
  }

  /** Type-checks a cell against the accepted ones. `checked`: the cell parsed already (checkedText), when the caller has it. */
  check(source: string, checked?: CheckedText): CheckResult {
    const cell = this.prepare(source, checked);
    this.sync(cell.text, cell.names);
    // Semantic diagnostics only: syntax errors are swc's to report (the transform parses every cell
    // the kernel runs, and its verdict is what runs), and asking tsgo for its own costs a round trip.
    const diagnostics = this.project.program.getSemanticDiagnostics(this.scratch);
    return {
      diagnostics: this.mapDiagnostics(cell, diagnostics.filter((d) => appliesToCell(d, cell.text))),
      declares: cell.names.length > 0 || cell.unnamed,
    };
  }

  accept(source: string, checked?: CheckedText): void {
    const cell = this.prepare(source, checked);
    // The names it replaces are now shadowed for good, and its own must not be renamed away in the next render.
    this.replacedNow = new Set();
    const replaced = new Set(cell.names.map((n) => n.name));
    for (const earlier of this.accepted) {
      for (const name of replaced) if (earlier.names.some((n) => n.name === name)) earlier.shadowed.add(name);
    }
    for (let i = this.accepted.length - 1; i >= 0; i--) {
      const earlier = this.accepted[i];
      if (!earlier.unnamed && earlier.names.every((n) => earlier.shadowed.has(n.name))) {
        this.accepted.splice(i, 1);
        // Left as it is if all its names are renamed away already (the cell that replaced them was checked); else emptied.
        if (this.files.get(earlier.file) !== renderAccepted(earlier, replaced)) this.toEmpty.add(earlier.file);
        this.free.push(earlier.file);
      }
    }
    if (cell.names.length === 0 && !cell.unnamed) return; // nothing later cells could see
    let file: string;
    if (this.files.get(this.scratch) === cell.text) {
      // Checked just now: the checker has its text in the scratch file already, which becomes its file.
      file = this.scratch;
      this.scratch = this.takeFree();
    } else {
      file = this.takeFree();
    }
    this.accepted.push({ file, text: cell.text, names: cell.names, unnamed: cell.unnamed, shadowed: new Set(), serial: this.serial++ });
  }

  private takeFree(): string {
    if (this.free.length === 0) this.growPool(this.poolSize);
    const file = this.free.pop() as string;
    this.toEmpty.delete(file);
    return file;
  }

  complete(source: string, cursorPos: number, checked?: CheckedText): CompletionResult {
    const offset = codePointToUtf16(source, cursorPos);
    let start = offset;
    while (start > 0 && isIdentifierChar(source, start - 1)) start--;
    const prefix = source.slice(start, offset);
    const empty: CompletionResult = { matches: [], cursorStart: utf16ToCodePoint(source, start), cursorEnd: cursorPos, types: [] };
    const cell = this.prepare(source, checked);
    // The cell as typed (imports included, so completion inside them works); its names replace earlier ones.
    this.sync(source, cell.names);
    const entries = this.completionEntries(source, offset, start, cell).filter((e) => e.name.startsWith(prefix) && !e.name.startsWith("__ephemeron_"));
    entries.sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.name) && seen.add(e.name) !== undefined);
    return {
      matches: unique.map((e) => e.name),
      cursorStart: empty.cursorStart,
      cursorEnd: cursorPos,
      types: unique.map((e) => ({ text: e.name, type: e.kind, start: empty.cursorStart, end: cursorPos })),
    };
  }

  /**
   * Completion entries at `offset`. Member completions (`Math.`) come from the
   * checker. Completions of a bare identifier make TypeScript 7.0.2's API fail
   * ("completion list needs auto imports"), so those are assembled here: the
   * names of the accepted cells and of this cell, the globals (as members of
   * `globalThis`), and keywords.
   */
  private completionEntries(source: string, offset: number, start: number, cell: PreparedCell): CompletionEntryLike[] {
    try {
      const info = this.project.checker.getCompletionsAtPosition(this.scratch, offset);
      return (info?.entries ?? []).map((e) => ({ name: e.name, kind: completionKindName(e.kind), sortText: e.sortText ?? "" }));
    } catch (error) {
      if (!(error instanceof Error && /needs auto imports/.test(error.message))) throw error;
    }
    const entries: CompletionEntryLike[] = [];
    for (const accepted of this.accepted) {
      for (const n of accepted.names) if (!accepted.shadowed.has(n.name)) entries.push({ name: n.name, kind: n.kind, sortText: "11" });
    }
    for (const n of cell.names) entries.push({ name: n.name, kind: n.kind, sortText: "11" });
    for (const match of source.matchAll(/[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu)) {
      if (match.index !== start) entries.push({ name: match[0], kind: "text", sortText: "12" });
    }
    const probe = `${source.slice(0, start)}globalThis.${source.slice(start)}`;
    this.sync(probe, cell.names);
    try {
      const info = this.project.checker.getCompletionsAtPosition(this.scratch, offset + "globalThis.".length);
      for (const e of info?.entries ?? []) entries.push({ name: e.name, kind: completionKindName(e.kind), sortText: "13" });
    } catch {
      // Globals are a bonus: the cells' own names are already there.
    }
    for (const keyword of KEYWORDS) entries.push({ name: keyword, kind: "keyword", sortText: "15" });
    return entries;
  }

  inspect(source: string, cursorPos: number, detailLevel: 0 | 1, checked?: CheckedText): InspectResult {
    const notFound: InspectResult = { found: false, plain: "", markdown: "" };
    const offset = codePointToUtf16(source, cursorPos);
    const at = isIdentifierChar(source, offset) ? offset : isIdentifierChar(source, offset - 1) ? offset - 1 : -1;
    if (at < 0) return notFound;
    const cell = this.prepare(source, checked);
    this.sync(source, cell.names);
    const checker = this.project.checker;
    let symbol = checker.getSymbolAtPosition(this.scratch, at);
    if (symbol === undefined) return notFound;
    if (symbol.flags & SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    symbol = this.importedThrough(symbol) ?? symbol;
    const signature = this.describe(symbol);
    const documentation = checker.getDocumentationCommentOfSymbol(symbol);
    const tags = checker.getJsDocTagsOfSymbol(symbol).map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`);
    const docs = [documentation, ...(detailLevel === 1 || documentation === "" ? tags : [])].filter((s) => s !== "").join("\n");
    const plain = docs === "" ? signature : `${signature}\n\n${docs}`;
    const markdown = "```typescript\n" + signature + "\n```" + (docs === "" ? "" : `\n\n${docs}`);
    return { found: true, plain, markdown };
  }

  /**
   * What an earlier cell's import stands for. The checker sees `import { area } from "./geo.ts"`
   * as `declare const area: typeof import("./geo.ts")["area"]` (cell-source.ts): inspecting
   * `area` should show the function it imported, with its documentation, not that constant.
   */
  private importedThrough(symbol: TsSymbol): TsSymbol | undefined {
    const declaration = symbol.valueDeclaration;
    if (!(symbol.flags & SymbolFlags.Variable) || declaration === undefined || !declaration.path.startsWith(this.prefix)) return undefined;
    if (!((declaration.resolve(this.project)?.flags ?? 0) & NodeFlags.Ambient)) return undefined;
    const target = this.project.checker.getTypeOfSymbol(symbol)?.getSymbol();
    const home = target?.declarations[0]?.path;
    return home !== undefined && !home.startsWith(this.prefix) ? target : undefined;
  }

  /** Whether the tsgo process still answers. */
  alive(): boolean {
    try {
      this.project.program.getSemanticDiagnostics(this.scratch);
      return true;
    } catch {
      return false;
    }
  }

  dispose(): void {
    this.releaseStale();
    this.snapshot.dispose();
    this.api.close();
  }

  /** A one-line description of a symbol, as the editor's hover shows it. */
  private describe(symbol: TsSymbol): string {
    const checker = this.project.checker;
    const name = symbol.name;
    const flags = symbol.flags;
    if (flags & (SymbolFlags.Interface | SymbolFlags.TypeAlias) && !(flags & SymbolFlags.Value)) {
      const keyword = flags & SymbolFlags.Interface ? "interface" : "type";
      return `${keyword} ${name} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol))}`.replace(/^interface (\S+) = /, "interface $1 ");
    }
    const type = checker.getTypeOfSymbol(symbol);
    const typeText = type === undefined ? "any" : checker.typeToString(type);
    if (flags & SymbolFlags.Class) return `class ${name}`;
    if (flags & SymbolFlags.Enum) return `enum ${name}`;
    if (flags & SymbolFlags.Module && !(flags & SymbolFlags.Variable)) return `namespace ${name}`;
    if (flags & (SymbolFlags.Function | SymbolFlags.Method)) {
      const keyword = flags & SymbolFlags.Function ? "function" : "(method)";
      const arrow = splitArrow(typeText);
      return arrow === undefined ? `${keyword} ${name}: ${typeText}` : `${keyword} ${name}${arrow.parameters}: ${arrow.result}`;
    }
    if (flags & SymbolFlags.Property) return `(property) ${name}: ${typeText}`;
    if (flags & SymbolFlags.EnumMember) return `(enum member) ${name} = ${typeText}`;
    if (flags & SymbolFlags.Variable) return `${this.variableKeyword(symbol)} ${name}: ${typeText}`;
    return `${name}: ${typeText}`;
  }

  private variableKeyword(symbol: TsSymbol): string {
    const declaration = symbol.valueDeclaration?.resolve(this.project);
    const list = declaration?.parent;
    if (list?.kind === SyntaxKind.VariableDeclarationList) {
      if (list.flags & NodeFlags.Const) return "const";
      if (list.flags & NodeFlags.Let) return "let";
      return "var";
    }
    return symbol.flags & SymbolFlags.BlockScopedVariable ? "let" : "var";
  }

  /** Rewrites a cell's imports and exports and finds its top-level names. */
  private prepare(source: string, checked?: CheckedText): PreparedCell {
    if (this.lastPrepared?.source === source) return this.lastPrepared;
    const text = checked ?? checkedText(source);
    const ownLength = source.length + text.inserted.reduce((sum, insertion) => sum + insertion.length, 0);
    this.lastPrepared = { source, ownLength, ...text };
    return this.lastPrepared;
  }

  /** Brings the project to: every accepted cell (names replaced by later cells or by `names` renamed away) and `scratchText`. */
  private sync(scratchText: string, names: DeclaredName[]): void {
    this.replacedNow = new Set(names.map((n) => n.name));
    this.write(this.wanted(scratchText, this.replacedNow));
  }

  private wanted(scratchText: string, replacedNow: Set<string>): Map<string, string> {
    const wanted = new Map<string, string>([[this.scratch, scratchText]]);
    for (const cell of this.accepted) wanted.set(cell.file, renderAccepted(cell, replacedNow));
    for (const file of this.toEmpty) wanted.set(file, "");
    return wanted;
  }

  /**
   * Sets file contents and tells the checker about the files that changed, one file per snapshot:
   * a snapshot with one changed file costs about 1 ms, one with two or more makes tsgo resolve
   * every module of the program again (10 ms from a real folder, 50–100 ms through the callbacks).
   */
  private write(contents: Map<string, string>): void {
    if (this.pendingChanges.length > 0) {
      // The tsconfig (a larger pool): the project is reloaded anyway.
      const changed = this.pendingChanges;
      this.pendingChanges = [];
      for (const [file, text] of contents) {
        if (this.files.get(file) === text) continue;
        this.files.set(file, text);
        changed.push(file);
      }
      this.update(changed);
      return;
    }
    for (const [file, text] of contents) {
      if (this.files.get(file) === text) continue;
      this.files.set(file, text);
      this.update([file]);
    }
  }

  private update(changed: string[]): void {
    for (const file of changed) this.toEmpty.delete(file);
    const next = this.api.updateSnapshot({ fileChanges: { changed } });
    this.stale.push(this.snapshot);
    this.snapshot = next;
    this.project = this.currentProject();
  }

  /** Snapshots replaced by newer ones, released after the answer has gone out (one round trip to tsgo each). */
  private readonly stale: Snapshot[] = [];

  /** Releases the replaced snapshots: called when no request is waiting for an answer. */
  releaseStale(): void {
    for (const snapshot of this.stale.splice(0)) snapshot.dispose();
  }

  /** Free files whose text the checker still has with names in it: emptied at the next update. */
  private readonly toEmpty = new Set<string>();

  private pendingChanges: string[] = [];

  private growPool(count: number): void {
    for (let i = 0; i < count; i++) {
      const file = `${this.prefix}cell-${this.poolSize + i}.ts`;
      this.files.set(file, "");
      this.free.unshift(file);
    }
    this.poolSize += count;
    const cellFiles = [...this.files.keys()].filter((f) => f.endsWith(".ts"));
    const require = createRequire(import.meta.url);
    const nodeTypes = path.dirname(require.resolve("@types/node/package.json"));
    this.files.set(
      this.tsconfig,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "es2022",
          lib: ["es2023"],
          module: "esnext",
          moduleResolution: "bundler",
          esModuleInterop: true,
          allowSyntheticDefaultImports: true,
          resolveJsonModule: true,
          allowJs: false,
          // `import("./helper.ts")` in a cell: the runtime loads TypeScript files beside the notebook.
          allowImportingTsExtensions: true,
          types: ["node"],
          typeRoots: [path.dirname(nodeTypes)],
          skipLibCheck: true,
          noEmit: true,
        },
        files: [...cellFiles, ...this.options.globalsDts],
      }),
    );
    if (this.poolSize > count) {
      // Not the first pool: the project must re-read its tsconfig and pick up the new files.
      this.pendingChanges.push(this.tsconfig);
    }
  }

  private currentProject(): Project {
    const project = this.snapshot.getProject(this.tsconfig);
    if (project === undefined) throw new Error(`the checker did not load ${this.tsconfig}`);
    return project;
  }

  /**
   * Only `readFile` and `fileExists` are served, and only for this project's own files (`undefined`
   * sends tsgo to the disk): it asks the other callbacks about every path it looks at (about 800
   * more synchronous calls while it loads the libraries and @types/node, 60 ms of the warm-up).
   * `fileExists` it does need: without it, each update looks for every cell file on disk (p50 of a
   * check 2.9 → 5 ms 400 cells in).
   */
  private fileSystem(): FileSystem {
    return {
      readFile: (p) => this.files.get(p),
      fileExists: (p) => (this.files.has(p) ? true : undefined),
    };
  }

  private mapDiagnostics(cell: PreparedCell, diagnostics: readonly Diagnostic[]): CellDiagnostic[] {
    const result: CellDiagnostic[] = [];
    const failedStandIns = new Map<number, { diagnostic: Diagnostic; standIn: AppendedDeclaration }[]>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.pos < cell.ownLength) {
        result.push(toCellDiagnostic(cell.source, diagnostic, sourceOffset(cell, diagnostic.pos)));
        continue;
      }
      const standIn = cell.appended.find((a) => diagnostic.pos >= a.start && diagnostic.pos <= a.end);
      if (standIn === undefined) continue;
      const failures = failedStandIns.get(standIn.group) ?? [];
      failures.push({ diagnostic, standIn });
      failedStandIns.set(standIn.group, failures);
    }
    for (const [group, failures] of failedStandIns) {
      const members = cell.appended.filter((a) => a.group === group);
      const reportable = failures.find((f) => f.standIn.reportAlone && /Cannot find module|has no exported member|not a module/.test(f.diagnostic.text));
      const allFailed = members.every((m) => failures.some((f) => f.standIn === m));
      const chosen = reportable ?? (allFailed ? failures[0] : undefined);
      if (chosen !== undefined) result.push(toCellDiagnostic(cell.source, chosen.diagnostic, chosen.standIn.origin));
    }
    return result.sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

const AMBIENT_VALUE = /\bdeclare\s+(var|let|const|function|class)\s+([\p{ID_Start}$_][\p{ID_Continue}$]*)/gu;

/** The values a file of ambient declarations declares (`declare var input: …`), as a cell's names. */
function ambientValueNames(text: string): DeclaredName[] {
  const kinds: Record<string, string> = { var: "variable", let: "variable", const: "variable", function: "function", class: "class" };
  return [...text.matchAll(AMBIENT_VALUE)].map((match) => {
    const end = match.index + match[0].length;
    return { name: match[2]!, kind: kinds[match[1]!]!, start: end - match[2]!.length, end };
  });
}

function renderAccepted(cell: AcceptedCell, replacedNow: Set<string>): string {
  const renamed = cell.names.filter((n) => cell.shadowed.has(n.name) || replacedNow.has(n.name)).sort((a, b) => b.start - a.start);
  let text = cell.text;
  for (const [index, name] of renamed.entries()) {
    text = text.slice(0, name.start) + `__ephemeron_replaced_${cell.serial}_${index}` + text.slice(name.end);
  }
  return text;
}

function toCellDiagnostic(source: string, diagnostic: Diagnostic, offset: number): CellDiagnostic {
  const { line, column, sourceLine } = lineAndColumn(source, offset);
  return { code: diagnostic.code, line, column, message: flattenMessage(diagnostic), sourceLine };
}

function flattenMessage(diagnostic: Diagnostic, indent = 0): string {
  const lines = [`${"  ".repeat(indent)}${diagnostic.text}`];
  for (const next of diagnostic.messageChain ?? []) lines.push(flattenMessage(next, indent + 1));
  return lines.join("\n");
}

function isIdentifierChar(text: string, offset: number): boolean {
  if (offset < 0 || offset >= text.length) return false;
  return /[\p{ID_Continue}$\u200c\u200d]/u.test(text[offset]);
}

/** `(a: number) => string` → `(a: number)` and `string`, at the arrow outside any brackets. */
function splitArrow(typeText: string): { parameters: string; result: string } | undefined {
  let depth = 0;
  for (let i = 0; i < typeText.length; i++) {
    const ch = typeText[i];
    if (ch === "(" || ch === "[" || ch === "{" || ch === "<") depth++;
    else if (ch === ")" || ch === "]" || ch === "}" || (ch === ">" && typeText[i - 1] !== "=")) depth--;
    else if (depth === 0 && typeText.startsWith(" => ", i)) return { parameters: typeText.slice(0, i), result: typeText.slice(i + 4) };
  }
  return undefined;
}

const COMPLETION_KINDS: Record<number, string> = {
  1: "text", 2: "method", 3: "function", 4: "constructor", 5: "property", 6: "variable", 7: "class", 8: "interface", 9: "module",
  10: "property", 11: "unit", 12: "value", 13: "enum", 14: "keyword", 15: "snippet", 16: "color", 17: "file", 18: "reference",
  19: "folder", 20: "enum member", 21: "constant", 22: "struct", 23: "event", 24: "operator", 25: "type parameter",
};

function completionKindName(kind: number | undefined): string {
  return kind === undefined ? "text" : (COMPLETION_KINDS[kind] ?? "text");
}
