// The virtual TypeScript project the checker keeps: one global-script file per
// accepted cell, plus a scratch file for the cell being checked, completed or
// inspected (cell-files.ts holds them). It drives TypeScript 7's native checker
// (tsgo) over the kernel's own channel (tsgo-channel.ts), on the kernel's
// thread: a check is two requests, a new snapshot with the cell's file changed
// and that file's semantic diagnostics, sent as TypeScript's API would send
// them. The API's object model loads only for completion and inspection
// (cell-language.ts).
//
// A name a later cell (or the scratch cell) declares again is renamed, in
// every earlier cell's file, to a name nobody uses: the newest declaration
// wins, as at run time. A cell file left with no names returns to the pool.
// A cell's interface or type alias under a name the libraries declare globally
// (`interface Event`) is renamed too, with the uses that mean it, in its cell
// and in later ones: as a global script's it would merge with the library's
// (or clash with it), where a module's shadows it.
//
// Its methods are not reentrant: the caller (checker.ts) runs one at a time.

import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { isAbsolute, relative } from "node:path";
import type { Diagnostic, Project } from "typescript/unstable/async";
import type { UpdateSnapshotResponse } from "typescript/unstable/proto";
import { codePointToUtf16, lineAndColumn } from "./code-points.js";
import { cellReferences, checkedText, kindMeaning, MEANING, sourceOffset, withoutStandInModules, type AppendedDeclaration, type CheckedText, type DeclaredName } from "./cell-source.js";
import { ALWAYS_DEFINED_GLOBALS, type CellDiagnostic, type CheckResult, type CompletionResult, type InspectResult } from "./checker-types.js";
import type { CellFiles } from "./cell-files.js";
import type { TsgoChannel } from "./tsgo-channel.js";
import type { LanguageService, LanguageView } from "./cell-language.js";
import { markingReplacedNames, ownGlobalTypeName, replacedName } from "./replaced-names.js";
import { isGlobalName } from "./global-names.js";
import { localTypeScriptImports } from "./local-imports.js";
import { installHint, isInstalled, isPackageSpecifier, packageName } from "../runtime/missing-package.js";
import { parsesAsTypeScript } from "./swc.js";

/** What may make a cell's checked text differ from the cell (cell-source.ts rewrites imports, exports, `declare global`). */
const REWRITTEN = /\\|\b(?:import|export|declare)\b/;

/** TypeScript's DiagnosticCategory.Error (its enum module is not exported on its own; loading the API for it costs ~0.1 s). */
const ERROR_CATEGORY = 1;

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

/**
 * Codes that do not apply to a cell: top-level `await`, `for await` and `await using` in a script
 * (the runtime wraps cells in an async function), and 7016, a package without type declarations: in a
 * notebook it is used as `any`, as Node would run it, rather than refused. 2311: a script reads
 * a top-level `await (x)` as a call to a function named `await`; the runtime runs it as an await.
 * 1280: a namespace in a script under isolatedModules (cell-files.ts), which tsc refuses because a
 * transpiler could not tell a script's namespace from a module's; the runtime runs every cell as a script.
 */
const IGNORED_CODES = new Set([1280, 1375, 1378, 1431, 1432, 2311, 2853, 7016]);
/** "'gc' is possibly 'undefined'" (18048) and "cannot invoke … possibly 'undefined'" (2722) on `gc` itself (ALWAYS_DEFINED_GLOBALS). */
const POSSIBLY_UNDEFINED_CODES = new Set([18048, 2722]);

/**
 * "Cannot redeclare block-scoped variable" (2451) and "Duplicate identifier" (2300) on a name the
 * cell declares once: the other declaration is a global of Node's or the libraries' (`crypto`,
 * `URL`, `performance`, `fetch`…), since earlier cells' are renamed away. A cell is a script to the
 * checker, where its `const` cannot shadow a global `var`; at run time it can (a module's would), and
 * the checker then types later uses by the cell's declaration.
 */
const REDECLARED_CODES = new Set([2451, 2300]);

function appliesToCell(diagnostic: Diagnostic, cell: PreparedCell): boolean {
  if (!appliesToFile(diagnostic, cell.text)) return false;
  const subject = cell.text.slice(diagnostic.pos, diagnostic.end).trim();
  return !(REDECLARED_CODES.has(diagnostic.code) && declarationsOf(cell, subject) === 1);
}

/** An error that holds in a notebook, in `text` (a cell's checked text, or a file the cell imports). */
function appliesToFile(diagnostic: Diagnostic, text: string): boolean {
  if (diagnostic.category !== ERROR_CATEGORY || IGNORED_CODES.has(diagnostic.code)) return false;
  const subject = text.slice(diagnostic.pos, diagnostic.end).trim();
  return !(POSSIBLY_UNDEFINED_CODES.has(diagnostic.code) && ALWAYS_DEFINED_GLOBALS.has(subject));
}

/**
 * How many times a cell declares `name`. An import counts once, though its stand-ins declare the
 * name twice (`import { setTimeout }`: a constant for the value, a type alias for the type).
 */
function declarationsOf(cell: PreparedCell, name: string): number {
  const declarations = cell.names.filter((n) => n.name === name);
  const own = declarations.filter((n) => n.start < cell.ownLength).length;
  return own + (declarations.length > own ? 1 : 0);
}

/** A cell as its accepted file keeps it: without the probes of its imports (CheckedText.probesFrom), at the end of its text. */
function withoutProbes(cell: PreparedCell): PreparedCell {
  const end = cell.probesFrom;
  if (end === undefined) return cell;
  return {
    ...cell,
    text: cell.text.slice(0, end),
    names: cell.names.filter((n) => n.start < end),
    references: cell.references.filter((r) => r.start < end),
    appended: cell.appended.filter((a) => a.start < end),
    probesFrom: undefined,
  };
}

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
  /** Its names later cells declared again, and the meanings (MEANING's bits) they replaced. */
  shadowed: Map<string, number>;
  serial: number;
  /** Its uses of names some accepted cell declared (itself included), and which cell that was then. */
  uses: { name: string; start: number; end: number; shorthand: boolean; meaning: number; owner: AcceptedCell }[];
  /** How many uses in other cells mean one of its names: it stays in the project while any does. */
  usedBy: number;
  /** Where its own text ends and the stand-ins for its imports begin. */
  ownLength: number;
}

/** A snapshot tsgo holds for us, and our project's id in it. */
interface SnapshotRef {
  id: number;
  project: string;
}

export class CellProject implements LanguageView {
  private snapshot!: SnapshotRef;
  private readonly accepted: AcceptedCell[] = [];
  private serial = 0;
  private lastPrepared: PreparedCell | undefined;
  /** The names the accepted cells were last rendered without (the scratch cell's, at the last sync), and their meanings (MEANING's bits). */
  private replacedNow = new Map<string, number>();
  /** The accepted cells that declare or use each name: the files a change to the name's declarations renders again. */
  private readonly cellsByName = new Map<string, Set<AcceptedCell>>();
  /** What to render again at the next sync: names whose declarations were replaced since, and cells not rendered yet. */
  private readonly dirtyNames = new Set<string>();
  private readonly dirtyCells = new Set<AcceptedCell>();
  /** The accepted cells that declare a type under a library's global name (shadowsGlobal): the only ones mayUseOwnGlobalType looks at. */
  private readonly globalTypeCells = new Set<AcceptedCell>();
  /** Whether dropUnused has swept every cell once: after that, only the cells an acceptance touched. */
  private swept = false;
  /** Snapshots replaced by newer ones, released after the answer has gone out (one round trip to tsgo each). */
  private readonly stale: number[] = [];
  private language: Promise<LanguageService> | undefined;

  /**
   * `declaredModules`: modules a cell's `declare module` declares as a script's ambient module,
   * where tsc would find nothing to augment: packages without types (tsc refuses to augment them,
   * TS2665), and modules nobody can find that a cell without imports or exports names. The
   * caller's set, which outlives this project: a restarted tsgo's project replays the accepted
   * cells, and must know them before it renders those cells.
   */
  private constructor(
    private readonly files: CellFiles,
    private readonly channel: TsgoChannel,
    private readonly cwd: string,
    private readonly declaredModules: Set<string>,
  ) {}

  /**
   * The project over `files`, whose texts tsgo may be loading already (`preloaded`: the answer to
   * an `updateSnapshot` that opened the tsconfig, sent before this module loaded). Resolves when
   * the libraries, @types/node and a cell that uses what most cells do are checked.
   */
  static async open(files: CellFiles, channel: TsgoChannel, options: CellProjectOptions, declaredModules: Set<string>, preloaded?: Promise<unknown>): Promise<CellProject> {
    const project = new CellProject(files, channel, options.cwd, declaredModules);
    // The runtime's values (CellFiles put their texts in from the start) are the session's first cells.
    for (const file of files.initialFiles) {
      const text = files.get(file) ?? "";
      const cell: AcceptedCell = { file, text, names: ambientValueNames(text), unnamed: false, shadowed: new Map(), serial: project.serial++, uses: [], usedBy: 0, ownLength: text.length };
      project.accepted.push(cell);
      project.index(cell);
    }
    const opened = ((await preloaded) as UpdateSnapshotResponse | undefined) ?? ((await channel.request("updateSnapshot", { openProjects: [files.tsconfig] })) as UpdateSnapshotResponse);
    project.snapshot = project.ref(opened);
    // Warm up: the checker resolves the library types a cell touches on first use.
    await project.check(WARM_UP_CELL);
    return project;
  }

  get scratch(): string {
    return this.files.scratch;
  }

  get prefix(): string {
    return this.files.prefix;
  }

  /**
   * Type-checks a cell against the accepted ones. `checked`: the cell parsed already (checkedText),
   * when the caller has it. `handedOver` runs once the diagnostics are asked for: tsgo computes
   * them alone (~1.5 ms, no callbacks), and the caller's thread is free to do its own work without
   * delaying it. Earlier, tsgo builds the new program and waits on this thread to answer its reads,
   * and the update's answer waits for whatever holds the thread.
   */
  async check(source: string, checked?: () => CheckedText, handedOver?: () => void): Promise<CheckResult> {
    let read: () => void = () => undefined;
    const taken = new Promise<void>((resolve) => (read = resolve));
    this.files.onScratchRead(read);
    let cell: PreparedCell;
    try {
      // A cell without module syntax is checked as it is written: it goes to tsgo at once, and is
      // parsed for its names once tsgo has read it (this thread answers that read), while tsgo
      // builds the new program. The names only rename earlier cells' files.
      const early = this.lastPrepared?.source === source || REWRITTEN.test(source) || this.mayUseOwnGlobalType(source) ? undefined : this.sendScratch(source);
      if (early) await Promise.race([taken, early]);
      cell = this.renderScratch(this.prepare(source, checked?.()));
      await early;
      await this.sync(cell.text, cell.names);
    } finally {
      this.files.onScratchRead(undefined);
    }
    // Semantic diagnostics only: syntax errors are swc's to report (the transform parses every cell
    // the kernel runs, and its verdict is what runs), and asking tsgo for its own costs a round trip.
    const asked = this.channel.request("getSemanticDiagnostics", { snapshot: this.snapshot.id, project: this.snapshot.project, file: this.files.scratch });
    handedOver?.();
    const diagnostics = ((await asked) ?? []) as Diagnostic[];
    const declared = diagnostics.flatMap((d) => nothingToAugment(d, cell)).filter((m) => !this.declaredModules.has(m));
    if (declared.length > 0) {
      for (const module of declared) this.declaredModules.add(module);
      this.lastPrepared = undefined;
      return this.check(source);
    }
    const mapped = this.mapDiagnostics(cell, diagnostics.filter((d) => appliesToCell(d, cell)));
    return {
      diagnostics: [...mapped.diagnostics, ...(await this.importedFilesDiagnostics(source))],
      typeOnlyImports: mapped.typeOnlyImports,
      declares: cell.names.length > 0 || cell.unnamed,
    };
  }

  /**
   * Type errors in the notebook's TypeScript files the cell imports (through any chain of imports):
   * the runtime would run them as they are, as it runs no cell with a type error. One request per
   * file, for cells that import one only.
   */
  private async importedFilesDiagnostics(source: string): Promise<CellDiagnostic[]> {
    const result: CellDiagnostic[] = [];
    for (const path of localTypeScriptImports(source, this.cwd)) {
      let diagnostics: Diagnostic[];
      let text: string;
      try {
        diagnostics = ((await this.channel.request("getSemanticDiagnostics", { snapshot: this.snapshot.id, project: this.snapshot.project, file: path })) ?? []) as Diagnostic[];
        text = readFileSync(path, "utf8");
      } catch {
        // Not in the program after all (tsgo resolved the import elsewhere), or gone: nothing to say of it.
        continue;
      }
      const named = relative(this.cwd, path);
      const file = named.startsWith("..") || isAbsolute(named) ? named : `./${named}`;
      for (const diagnostic of diagnostics) {
        if (!appliesToFile(diagnostic, text)) continue;
        result.push({ ...toCellDiagnostic(text, diagnostic, diagnostic.pos), file });
      }
    }
    return result;
  }

  /** Records a cell as run. Nothing goes to tsgo: the next request's update carries it. */
  accept(source: string, checked?: () => CheckedText): void {
    const prepared = this.prepare(source, checked?.());
    const cell = withoutProbes(prepared);
    // The names it replaces are now shadowed for good, and its own must not be renamed away in the next render.
    for (const name of this.replacedNow.keys()) this.dirtyNames.add(name);
    this.replacedNow = new Map();
    const replaced = meanings(cell.names);
    for (const name of replaced.keys()) this.dirtyNames.add(name);
    // A use means the newest accepted cell that still gives the name the use's meaning (the value
    // `Status`, the type `Status`). Only the cells indexed under a name are looked at, so a cell's
    // acceptance costs what its names touch, not what the session holds.
    const ownerOf = (name: string, meaning: number): AcceptedCell | undefined => {
      const cells = this.cellsByName.get(name);
      return cells === undefined ? undefined : [...cells].findLast((owner) => (liveMeaning(owner, name) & meaning) !== 0);
    };
    const shadowedNow: AcceptedCell[] = [];
    for (const [name, meaning] of replaced) {
      for (const earlier of this.cellsByName.get(name) ?? []) {
        const taken = meaningOf(earlier, name) & meaning;
        if (taken === 0) continue;
        earlier.shadowed.set(name, (earlier.shadowed.get(name) ?? 0) | taken);
        shadowedNow.push(earlier);
      }
    }
    const keeps = cell.names.length > 0 || cell.unnamed;
    let accepted: AcceptedCell | undefined;
    if (keeps) {
      let file: string;
      if (this.files.get(this.files.scratch) === this.renderScratch(prepared).text) {
        // Checked just now: the checker has its text in the scratch file already, which becomes its
        // file (without the probes, at the next sync). An import cell's stand-ins declare ambient
        // modules: moved into a fresh file while the scratch lost them, both files' sets of ambient
        // modules would change, and tsgo would resolve every module of the program again for the
        // next cell (30–115 ms, ~800 calls back for files); this way neither set changes.
        file = this.files.scratch;
        this.files.scratch = this.files.takeFree();
      } else {
        file = this.files.takeFree();
      }
      accepted = { file, text: cell.text, names: cell.names, unnamed: cell.unnamed, shadowed: new Map(), serial: this.serial++, uses: [], usedBy: 0, ownLength: cell.ownLength };
      for (const use of cell.references) {
        const owner: AcceptedCell | undefined = ((replaced.get(use.name) ?? 0) & use.meaning) !== 0 ? accepted : ownerOf(use.name, use.meaning);
        if (owner === undefined) continue;
        accepted.uses.push({ ...use, owner });
        if (owner !== accepted) owner.usedBy++;
      }
    }
    this.dropUnused(replaced, shadowedNow);
    // A cell that declares nothing is not kept: later cells could not see anything of it.
    if (accepted) {
      this.accepted.push(accepted);
      this.index(accepted);
      if (accepted.names.some((n) => shadowsGlobal(n, accepted!.ownLength))) this.globalTypeCells.add(accepted);
      this.dirtyCells.add(accepted);
    }
  }

  private index(cell: AcceptedCell, remove = false): void {
    for (const { name } of [...cell.names, ...cell.uses]) {
      const cells = this.cellsByName.get(name) ?? new Set<AcceptedCell>();
      if (remove) cells.delete(cell);
      else cells.add(cell);
      if (cells.size === 0) this.cellsByName.delete(name);
      else this.cellsByName.set(name, cells);
    }
  }

  /**
   * Cells all of whose names are replaced, and that no kept cell's uses mean, go back to the pool.
   * Only a cell shadowed just now, or one whose last user went, can have become unused; the first
   * sweep looks at every cell (the runtime's own were never swept). Newest first, as a cell's
   * uses mean older cells: dropping it may free those in the same sweep.
   */
  private dropUnused(replaced: Map<string, number>, shadowedNow: readonly AcceptedCell[]): void {
    const candidates = new Set<AcceptedCell>(this.swept ? shadowedNow : this.accepted);
    this.swept = true;
    while (candidates.size > 0) {
      let earlier: AcceptedCell | undefined;
      for (const cell of candidates) if (earlier === undefined || cell.serial > earlier.serial) earlier = cell;
      candidates.delete(earlier!);
      const cell = earlier!;
      if (cell.unnamed || cell.usedBy > 0 || cell.names.some((n) => liveMeaning(cell, n.name) !== 0)) continue;
      const at = this.accepted.indexOf(cell);
      if (at < 0) continue;
      this.accepted.splice(at, 1);
      this.index(cell, true);
      this.globalTypeCells.delete(cell);
      this.dirtyCells.delete(cell);
      for (const use of cell.uses) {
        if (use.owner === cell) continue;
        use.owner.usedBy--;
        candidates.add(use.owner);
      }
      // Left as it is if all its names are renamed away already (the cell that replaced them was checked); else emptied.
      this.files.release(cell.file, this.files.get(cell.file) !== renderAccepted(cell, replaced));
    }
  }

  async complete(source: string, cursorPos: number, checked?: () => CheckedText): Promise<CompletionResult> {
    return (await this.languageService()).complete(this, source, cursorPos, this.namesUpTo(source, cursorPos, checked?.()));
  }

  async inspect(source: string, cursorPos: number, detailLevel: 0 | 1, checked?: () => CheckedText): Promise<InspectResult> {
    return (await this.languageService()).inspect(this, source, cursorPos, detailLevel, this.namesUpTo(source, cursorPos, checked?.()));
  }

  /**
   * The names a cell being completed or inspected declares, which replace earlier cells' as they
   * will when it runs. Unfinished code (`settings.` after `const settings = …`) does not parse: then
   * the longest text before the cursor that does, for the declarations above it: up to the cursor
   * with a name put there, else up to the start of a line (`console.log(settings.theme, |`).
   */
  private namesUpTo(source: string, cursorPos: number, checked?: CheckedText): DeclaredName[] {
    const names = this.prepare(source, checked).names;
    if (names.length > 0 || parsesAsTypeScript(source)) return names;
    const cursor = codePointToUtf16(source, Math.min(cursorPos, [...source].length));
    const before = [`${source.slice(0, cursor)}${CURSOR_NAME}`];
    // The nearest line starts first; a cell broken far above the cursor is not parsed a line at a time all the way up.
    for (let end = source.lastIndexOf("\n", cursor - 1); end > 0 && before.length <= MOST_PARSES_UP_TO_CURSOR; end = source.lastIndexOf("\n", end - 1)) {
      before.push(source.slice(0, end + 1));
    }
    const parsed = before.find((text) => parsesAsTypeScript(text));
    return parsed === undefined ? [] : checkedText(parsed, this.declaredModules).names.filter((n) => !n.name.includes(CURSOR_NAME));
  }

  isImport(name: string): boolean {
    const current = this.lastPrepared;
    const standsIn = (cell: { names: DeclaredName[] }, ownLength: number) => cell.names.some((n) => n.name === name && n.start >= ownLength);
    if (current?.names.some((n) => n.name === name)) return standsIn(current, current.ownLength);
    const owner = [...(this.cellsByName.get(name) ?? [])].find((cell) => liveMeaning(cell, name) !== 0);
    return owner !== undefined && standsIn(owner, owner.ownLength);
  }

  visibleNames(): DeclaredName[] {
    return this.accepted.flatMap((cell) => cell.names.filter((n) => liveMeaning(cell, n.name) !== 0));
  }

  async projectWith(text: string, names: DeclaredName[]): Promise<Project> {
    await this.sync(text, names);
    return (await this.languageService()).current();
  }

  private languageService(): Promise<LanguageService> {
    this.language ??= import("./cell-language.js").then(({ LanguageService }) => new LanguageService(this.channel, this.cwd, this.files.tsconfig));
    return this.language;
  }

  /**
   * Whether `source` may declare a type under a library's global name, or use an accepted cell's
   * (ownGlobalTypeName): its checked text is then not the cell as written, and is not sent early.
   */
  private mayUseOwnGlobalType(source: string): boolean {
    for (const match of source.matchAll(/\b(?:interface|type|class)\s+([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)/gu)) if (isGlobalName(match[1]!)) return true;
    for (const cell of this.globalTypeCells) if (cell.names.some((n) => source.includes(n.name) && shadowsGlobal(n, cell.ownLength) && liveMeaning(cell, n.name) !== 0)) return true;
    return false;
  }

  /**
   * The scratch cell as the checker gets it: its interfaces and type aliases under a library's
   * global name, and the uses of them and of an accepted cell's (renderAccepted), renamed; it will
   * be the cell numbered `this.serial` when accepted. A renamed name is the name with a prefix, which
   * the cell's offsets take as inserted text (CheckedText.inserted): its diagnostics keep their places.
   */
  private renderScratch(cell: PreparedCell): PreparedCell {
    const { prefixes, classes } = this.ownNamePrefixes(cell);
    if (prefixes.length === 0) return cell;
    prefixes.sort((a, b) => a.at - b.at);
    /** Where offset `at` of the cell's text is in the renamed text: after the prefixes before it. */
    const moved = (at: number): number => at + prefixes.reduce((sum, p) => sum + (p.at < at ? p.prefix.length : 0), 0);
    let text = cell.text;
    for (const p of [...prefixes].reverse()) text = text.slice(0, p.at) + p.prefix + text.slice(p.at);
    text += ownClassValues(classes, this.serial);
    const inserted = [...cell.inserted.map((i) => ({ at: moved(i.at), length: i.length })), ...prefixes.map((p) => ({ at: moved(p.at), length: p.prefix.length }))].sort((a, b) => a.at - b.at);
    return {
      ...cell,
      text,
      inserted,
      ownLength: moved(cell.ownLength),
      names: cell.names.map((n) => ({ ...n, start: moved(n.start), end: moved(n.end) })),
      references: cell.references.map((r) => ({ ...r, start: moved(r.start), end: moved(r.end) })),
      appended: cell.appended.map((a) => ({ ...a, start: moved(a.start), end: moved(a.end) })),
      probesFrom: cell.probesFrom === undefined ? undefined : moved(cell.probesFrom),
    };
  }

  /**
   * What completion and inspection put in the scratch file for `text`, the cell as typed (its
   * imports not rewritten, so that completion inside them works): with renderScratch's renaming,
   * so that `Event` there means what it means to the check (the cell's own or an earlier cell's);
   * and where each offset of `text` is in it. Unfinished code (`ev3.`) does not parse: the text
   * up to `cursor` is parsed then, with a name put at the cursor, for the uses before it.
   */
  languageText(text: string, cursor: number): { text: string; at: (offset: number) => number } {
    const same = { text, at: (offset: number) => offset };
    if (!this.mayUseOwnGlobalType(text)) return same;
    const parsed = (source: string): PreparedCell => {
      const checked = checkedText(source, this.declaredModules);
      const references = checked.names.length === 0 && checked.references.length === 0 && checked.text === source ? cellReferences(source) : checked.references;
      return { source, ...checked, references, ownLength: source.length + checked.inserted.reduce((sum, insertion) => sum + insertion.length, 0) };
    };
    const inSource = (cell: PreparedCell, upTo: number) => {
      const { prefixes, classes } = this.ownNamePrefixes(cell);
      const within = prefixes.filter((p) => p.at < cell.ownLength).map((p) => ({ ...p, at: sourceOffset(cell, p.at) }));
      // Only where the name stands in `text` as well (the parse of a shortened text agrees before the cursor).
      return { prefixes: within.filter((p) => text.startsWith(p.name, p.at) && p.at <= upTo).sort((a, b) => a.at - b.at), classes };
    };
    let found = inSource(parsed(text), text.length);
    if (found.prefixes.length === 0) found = inSource(parsed(`${text.slice(0, cursor)}${CURSOR_NAME}`), cursor);
    const { prefixes, classes } = found;
    if (prefixes.length === 0) return same;
    let renamed = text;
    for (const p of [...prefixes].reverse()) renamed = renamed.slice(0, p.at) + p.prefix + renamed.slice(p.at);
    return { text: renamed + ownClassValues(classes, this.serial), at: (offset) => offset + prefixes.reduce((sum, p) => sum + (p.at < offset ? p.prefix.length : 0), 0) };
  }

  /** The prefixes renderScratch puts before names in the cell's checked text, and the cell's classes among the names. */
  private ownNamePrefixes(cell: PreparedCell): { prefixes: { at: number; prefix: string; name: string }[]; classes: Set<string> } {
    const prefixes: { at: number; prefix: string; name: string }[] = [];
    const prefixOf = (serial: number, name: string): string => ownGlobalTypeName(serial, name).slice(0, -name.length);
    const own = new Set<string>();
    /** The cell's classes among them: their value keeps the name (ownClassValues). */
    const classes = new Set<string>();
    for (const n of cell.names) {
      if (!shadowsGlobal(n, cell.ownLength)) continue;
      own.add(n.name);
      prefixes.push({ at: n.start, prefix: prefixOf(this.serial, n.name), name: n.name });
      if (n.kind === "class") classes.add(n.name);
    }
    for (const use of cell.references) {
      // A use in a type is never an object literal's shorthand: the prefix goes before the name.
      if ((use.meaning & TYPE_MEANINGS) === 0 || use.shorthand || !isGlobalName(use.name)) continue;
      if (own.has(use.name)) prefixes.push({ at: use.start, prefix: prefixOf(this.serial, use.name), name: use.name });
      else if ((meaningOf(cell, use.name) & use.meaning & TYPE_MEANINGS) === 0) {
        const owner = [...(this.cellsByName.get(use.name) ?? [])].find((c) => (liveMeaning(c, use.name) & use.meaning & TYPE_MEANINGS) !== 0);
        if (owner !== undefined && ownsGlobalType(owner, use.name)) prefixes.push({ at: use.start, prefix: prefixOf(owner.serial, use.name), name: use.name });
      }
    }
    return { prefixes, classes };
  }

  /** The scratch file's text set and sent to tsgo, before the accepted cells are brought up to date. */
  private async sendScratch(text: string): Promise<void> {
    if (this.files.pendingChanges.length === 0 && this.files.set(this.files.scratch, text)) await this.update([this.files.scratch]);
  }

  /** Rewrites a cell's imports and exports and finds its top-level names. */
  private prepare(source: string, checked?: CheckedText): PreparedCell {
    if (this.lastPrepared?.source === source) return this.lastPrepared;
    // The caller's parse knows nothing of declaredModules: a cell that declares one is parsed again.
    const declaresOne = [...this.declaredModules].some((m) => source.includes(JSON.stringify(m).slice(1, -1)) && /\bdeclare\s+module\b/.test(source));
    const text = (declaresOne ? undefined : checked) ?? checkedText(source, this.declaredModules);
    const ownLength = source.length + text.inserted.reduce((sum, insertion) => sum + insertion.length, 0);
    // A cell that declares nothing has no uses parsed (checkedText): it needs them to mean an earlier cell's renamed type.
    const references = text.names.length === 0 && text.references.length === 0 && text.text === source && this.mayUseOwnGlobalType(source) ? cellReferences(source) : text.references;
    this.lastPrepared = { source, ownLength, ...text, references };
    return this.lastPrepared;
  }

  /** Brings the project to: every accepted cell (names replaced by later cells or by `names` renamed away) and `scratchText`. */
  private async sync(scratchText: string, names: DeclaredName[]): Promise<void> {
    // A module beside the notebook that was edited: one snapshot for it alone (two changed files in one make tsgo resolve everything again).
    for (const file of this.files.editedSources()) await this.update([file]);
    // Only the files whose rendering may differ from the last: those of the names renamed away
    // then or now, of the names replaced since, and the cells accepted since (a session of a
    // thousand cells would otherwise render a thousand files for every check).
    const next = meanings(names);
    const affected = new Set(this.dirtyCells);
    for (const name of [...this.replacedNow.keys(), ...next.keys(), ...this.dirtyNames]) for (const cell of this.cellsByName.get(name) ?? []) affected.add(cell);
    this.replacedNow = next;
    this.dirtyNames.clear();
    this.dirtyCells.clear();
    const wanted = new Map<string, string>([[this.files.scratch, scratchText]]);
    for (const cell of affected) wanted.set(cell.file, renderAccepted(cell, next));
    for (const file of this.files.toEmpty) wanted.set(file, "");
    await this.write(wanted);
  }

  /**
   * Sets file contents and tells the checker about the files that changed, one file per snapshot:
   * a snapshot with one changed file costs about 1 ms, one with two or more makes tsgo resolve
   * every module of the program again (10 ms from a real folder, 50–100 ms through the callbacks).
   */
  private async write(contents: Map<string, string>): Promise<void> {
    if (this.files.pendingChanges.length > 0) {
      // The tsconfig (a larger pool): the project is reloaded anyway.
      const changed = this.files.pendingChanges;
      this.files.pendingChanges = [];
      for (const [file, text] of contents) if (this.files.set(file, text)) changed.push(file);
      await this.update(changed);
      return;
    }
    for (const [file, text] of contents) if (this.files.set(file, text)) await this.update([file]);
  }

  private async update(changed: string[]): Promise<void> {
    const next = (await this.channel.request("updateSnapshot", { fileChanges: { changed } })) as UpdateSnapshotResponse;
    this.stale.push(this.snapshot.id);
    this.snapshot = this.ref(next);
  }

  private ref(response: UpdateSnapshotResponse): SnapshotRef {
    const project = response.projects.find((p) => p.configFileName === this.files.tsconfig) ?? response.projects[0];
    if (project === undefined) throw new Error(`the checker did not load ${this.files.tsconfig}`);
    return { id: response.snapshot, project: project.id };
  }

  /** Releases the replaced snapshots (and completion's): called when no request is waiting for an answer. */
  async releaseStale(): Promise<void> {
    for (const snapshot of this.stale.splice(0)) await this.channel.request("release", { snapshot });
    if (this.language) await (await this.language).release();
  }

  /** The cell's diagnostics; and the names it imports that only the type stand-ins found (CheckResult.typeOnlyImports). */
  private mapDiagnostics(cell: PreparedCell, diagnostics: readonly Diagnostic[]): { diagnostics: CellDiagnostic[]; typeOnlyImports: string[] } {
    const result: CellDiagnostic[] = [];
    const typeOnlyImports: string[] = [];
    const failedStandIns = new Map<number, { diagnostic: Diagnostic; standIn: AppendedDeclaration }[]>();
    /** Lines of `// @ts-ignore` or `// @ts-expect-error` that silenced an import's error. */
    const usedDirectives = new Set<number>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.pos < cell.ownLength) {
        result.push(toCellDiagnostic(cell.source, diagnostic, sourceOffset(cell, diagnostic.pos)));
        continue;
      }
      const standIn = cell.appended.find((a) => diagnostic.pos >= a.start && diagnostic.pos <= a.end);
      if (standIn === undefined || standIn.expectedCodes?.includes(diagnostic.code)) continue;
      const failures = failedStandIns.get(standIn.group) ?? [];
      failures.push({ diagnostic, standIn });
      failedStandIns.set(standIn.group, failures);
    }
    for (const [group, failures] of failedStandIns) {
      const members = cell.appended.filter((a) => a.group === group);
      // A conflict with a local declaration is the cell's own `const x` beside its `import { x }` (tsc's TS2440 at the import).
      const reportable = failures.find((f) => f.standIn.reportAlone && /Cannot find module|has no exported member|not a module|conflicts with local declaration/.test(f.diagnostic.text));
      const allFailed = members.some((m) => m.valueName === undefined) && members.every((m) => failures.some((f) => f.standIn === m));
      const chosen = reportable ?? (allFailed ? failures[0] : undefined);
      if (chosen !== undefined) {
        // The stand-in is at the cell's end, where the `// @ts-ignore` above the import does not reach: tsc's rule, applied here.
        const mapped = toCellDiagnostic(cell.source, chosen.diagnostic, chosen.standIn.origin);
        const directive = directiveLineAbove(cell.source, mapped.line);
        if (directive === undefined) result.push(mapped);
        else usedDirectives.add(directive);
      } else for (const { standIn } of failures) if (standIn.valueName !== undefined) typeOnlyImports.push(standIn.valueName);
    }
    return {
      diagnostics: result
        .filter((d) => !(d.code === UNUSED_DIRECTIVE && usedDirectives.has(d.line)))
        .map((d) => withInstallHint(d, this.cwd))
        .sort((a, b) => a.line - b.line || a.column - b.column),
      typeOnlyImports,
    };
  }
}

/** "Unused '@ts-expect-error' directive." */
const UNUSED_DIRECTIVE = 2578;
const DIRECTIVE = /^(?:\/\/\/?|\/\*+)\s*@ts-(?:expect-error|ignore)\b/;

/**
 * The line (1-based) of the `// @ts-ignore` or `// @ts-expect-error` that covers an error on `line`
 * of `source`, found as tsc finds it: on the lines above, past blank lines and `//` comments.
 */
function directiveLineAbove(source: string, line: number): number | undefined {
  const lines = source.split("\n");
  for (let i = line - 2; i >= 0; i--) {
    const text = (lines[i] ?? "").trim();
    if (DIRECTIVE.test(text)) return i + 1;
    if (text !== "" && !text.startsWith("//")) return undefined;
  }
  return undefined;
}

const AMBIENT_VALUE = /\bdeclare\s+(var|let|const|function|class)\s+([\p{ID_Start}$_][\p{ID_Continue}$]*)/gu;

/** The values a file of ambient declarations declares (`declare var input: …`), as a cell's names. */
function ambientValueNames(text: string): DeclaredName[] {
  const kinds: Record<string, string> = { var: "variable", let: "variable", const: "variable", function: "function", class: "class" };
  return [...text.matchAll(AMBIENT_VALUE)].map((match) => {
    const end = match.index + match[0].length;
    const kind = kinds[match[1]!]!;
    return { name: match[2]!, kind, meaning: kindMeaning(kind), start: end - match[2]!.length, end };
  });
}

/** Each name the declarations give, with the meanings (MEANING's bits) they give it together. */
function meanings(names: readonly DeclaredName[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const n of names) result.set(n.name, (result.get(n.name) ?? 0) | n.meaning);
  return result;
}

/** The meanings a cell's declarations give `name` (0: it declares no such name). */
function meaningOf(cell: { names: readonly DeclaredName[] }, name: string): number {
  let meaning = 0;
  for (const n of cell.names) if (n.name === name) meaning |= n.meaning;
  return meaning;
}

/** The meanings of `name` a cell's declarations still give: those no later cell declared again. */
function liveMeaning(cell: AcceptedCell, name: string): number {
  return meaningOf(cell, name) & ~(cell.shadowed.get(name) ?? 0);
}

/**
 * A cell's text with the names later cells replaced renamed away, and with them the uses that
 * mean those declarations. A cell's declarations of a name go together, when any of their
 * meanings is replaced: a value by a value, a type by a type. A class whose type alone was
 * replaced (by an interface of its name) stays the value: a constant of the renamed class's type.
 */
function renderAccepted(cell: AcceptedCell, replacedNow: Map<string, number>): string {
  const renames: { start: number; end: number; text: string }[] = [];
  const gone = (owner: AcceptedCell, name: string) => (owner.shadowed.get(name) ?? 0) !== 0 || ((replacedNow.get(name) ?? 0) & meaningOf(owner, name)) !== 0;
  const values = new Set<string>();
  const classes = new Set<string>();
  for (const n of cell.names) {
    if (!gone(cell, n.name)) {
      if (shadowsGlobal(n, cell.ownLength)) {
        renames.push({ start: n.start, end: n.end, text: ownGlobalTypeName(cell.serial, n.name) });
        if (n.kind === "class") classes.add(n.name);
      }
      continue;
    }
    renames.push({ start: n.start, end: n.end, text: `${n.shorthand ? `${n.name}: ` : ""}${replacedName(cell.serial, n.local ?? n.name)}` });
    if (n.local === undefined && IDENTIFIER_NAME.test(n.name) && (liveMeaning(cell, n.name) & ~(replacedNow.get(n.name) ?? 0) & MEANING.value) !== 0) values.add(n.name);
  }
  for (const use of cell.uses) {
    if (!gone(use.owner, use.name)) {
      if ((use.meaning & TYPE_MEANINGS) !== 0 && ownsGlobalType(use.owner, use.name)) {
        const renamed = ownGlobalTypeName(use.owner.serial, use.name);
        renames.push({ start: use.start, end: use.end, text: use.shorthand ? `${use.name}: ${renamed}` : renamed });
      }
      continue;
    }
    const renamed = replacedName(use.owner.serial, use.name);
    renames.push({ start: use.start, end: use.end, text: use.shorthand ? `${use.name}: ${renamed}` : renamed });
  }
  // Pieces joined once: splicing each rename into the whole text copied it once per rename, and a
  // cell run again with 10,000 uses of its own names held the kernel's thread for 15 s.
  const pieces: string[] = [];
  let at = 0;
  for (const r of renames.sort((a, b) => a.start - b.start)) {
    if (r.start < at) continue; // overlapping: the first stands, as a rename of a rename would garble both
    pieces.push(cell.text.slice(at, r.start), r.text);
    at = r.end;
  }
  pieces.push(cell.text.slice(at));
  let text = pieces.join("");
  for (const name of values) text += `\ndeclare const ${name}: typeof ${replacedName(cell.serial, name)};`;
  return text + ownClassValues(classes, cell.serial);
}

/**
 * The values of a cell's classes under a library's global name (`class Record`, `class Event`),
 * whose declarations are renamed (ownGlobalTypeName) so that their types shadow the library's: a
 * constant of the renamed class under the name, which every use of the value means, in a function
 * too. Where the libraries declare a value of that name too (`declare var Event`), the two are
 * redeclarations the checker reports at this text, past the cell's own (dropped), and types the
 * name by the cell's, as for a cell's `const URL`.
 */
function ownClassValues(classes: ReadonlySet<string>, serial: number): string {
  let text = "";
  for (const name of classes) text += `\ndeclare const ${name}: typeof ${ownGlobalTypeName(serial, name)};`;
  return text;
}

/**
 * Whether a declaration is an interface, type alias or class of the cell's own under a name the libraries
 * declare globally (`interface Event`, `type Record`), which the checker's files rename
 * (ownGlobalTypeName). One in `declare global { … }` adds to the library's, as the user means: it is
 * named apart (`augmented:global:Event`, cell-source.ts), no global name.
 */
function shadowsGlobal(n: DeclaredName, ownLength: number): boolean {
  if (!isGlobalName(n.name)) return false;
  // An import's stand-ins under a global name (cell-source.ts's throughAlias): a constant for the
  // value, which shadows the global's as a redeclared value does, and an alias (every meaning) for
  // the types and namespaces, which would merge with the global's (`import { Partial }`: lib's Partial).
  // Not an import of Node's modules: those export Node's own values under its global types' names
  // (node:console's Console, a value only), and tsc leaves such a name's type the global's, which a
  // renamed alias would lose. A module of the notebook's or a package's names its types as it means.
  if (n.start >= ownLength) return n.meaning === MEANING.all && n.importedFrom !== undefined && !n.importedFrom.startsWith("node:") && !builtinModules.includes(n.importedFrom);
  return n.kind === "interface" || n.kind === "type" || n.kind === "class";
}

/** Whether the cell's type (or namespace) meaning of `name` is such a declaration. */
function ownsGlobalType(cell: { names: readonly DeclaredName[]; ownLength: number }, name: string): boolean {
  return cell.names.some((n) => n.name === name && shadowsGlobal(n, cell.ownLength));
}

/** A name put at the cursor of unfinished code (`ev3.`) for it to parse (CellProject.languageText). */
const CURSOR_NAME = "__ephemeron_cursor";
/** How many texts before the cursor namesUpTo tries (a parse each, ~0.1 ms for a cell of 100 lines). */
const MOST_PARSES_UP_TO_CURSOR = 40;

/** The meanings a use may have that such a declaration gives. */
const TYPE_MEANINGS = MEANING.type | MEANING.namespace;

const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** "Invalid module name in augmentation. Module 'm' resolves to an untyped module at '…', which cannot be augmented." */
const UNTYPED_AUGMENTATION = 2665;

const MODULE_NOT_FOUND = 2307;

/**
 * The module a diagnostic says the cell's augmentation has nothing to augment in, which the cell
 * then declares: a package without types, or, for a cell without imports or exports, a module tsgo
 * cannot find (the augmentation's probe). A module cell's augmentation of a missing module stays
 * an error, as tsc's TS2664.
 */
function nothingToAugment(diagnostic: Diagnostic, cell: PreparedCell): string[] {
  if (diagnostic.code === UNTYPED_AUGMENTATION) return [/^Invalid module name in augmentation\. Module '([^']+)'/.exec(diagnostic.text)?.[1] ?? ""].filter((m) => m !== "");
  if (diagnostic.code !== MODULE_NOT_FOUND || cell.scriptAugmentations === undefined) return [];
  const missing = /^Cannot find module '([^']+)'/.exec(withoutStandInModules(diagnostic.text))?.[1];
  return missing !== undefined && cell.scriptAugmentations.includes(missing) ? [missing] : [];
}
/** "Cannot find module 'pkg'" for a package nobody installed also says how to install it, as the runtime's import error does. */
function withInstallHint(diagnostic: CellDiagnostic, cwd: string): CellDiagnostic {
  const specifier = diagnostic.code === MODULE_NOT_FOUND ? /^Cannot find module '([^']+)'/.exec(diagnostic.message)?.[1] : undefined;
  if (specifier === undefined || !isPackageSpecifier(specifier) || isInstalled(packageName(specifier), cwd)) return diagnostic;
  return { ...diagnostic, message: `${diagnostic.message}\n${installHint(specifier)}` };
}

function toCellDiagnostic(source: string, diagnostic: Diagnostic, offset: number): CellDiagnostic {
  const { line, column, sourceLine } = lineAndColumn(source, offset);
  return { code: diagnostic.code, line, column, message: flattenMessage(diagnostic), sourceLine };
}

function flattenMessage(diagnostic: Diagnostic, indent = 0): string {
  const lines = [`${"  ".repeat(indent)}${markingReplacedNames(withoutStandInModules(diagnostic.text))}`];
  for (const next of diagnostic.messageChain ?? []) lines.push(flattenMessage(next, indent + 1));
  return lines.join("\n");
}

