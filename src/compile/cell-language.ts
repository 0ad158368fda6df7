// Completion and inspection over the cells, from TypeScript 7's checker through
// the API's object model (symbols, types, documentation). Loaded on the first
// complete_request or inspect_request, not at start-up: checking a cell needs
// none of it (cell-project.ts asks tsgo for diagnostics directly), and the
// object model is ~5 MB of the kernel's memory and ~0.1 s of its start.

import { API, NodeBuilderFlags, SignatureKind, SymbolFlags, type CompletionEntry, type Project, type Snapshot, type Symbol as TsSymbol, type Type } from "typescript/unstable/async";
import {
  getTouchingPropertyName, isExpressionWithTypeArguments, isHeritageClause, isInterfaceDeclaration, isQualifiedName, isTypeAliasDeclaration, isTypeNode, isTypeQueryNode,
  NodeFlags, SyntaxKind, type Node,
} from "typescript/unstable/ast";
import { codePointToUtf16, utf16ToCodePoint } from "./code-points.js";
import type { DeclaredName } from "./cell-source.js";
import { ALWAYS_DEFINED_GLOBALS, type CompletionResult, type InspectResult } from "./checker-types.js";
import type { TsgoChannel } from "./tsgo-channel.js";
import { withoutOwnName, withoutReplacedNames } from "./replaced-names.js";
import { inTextOrComment, stringTextStart } from "./text-or-comment.js";
import { packageName } from "../runtime/missing-package.js";

/** What completion and inspection need of the cell project. */
export interface LanguageView {
  /** The scratch cell's file, where the text being completed or inspected goes. */
  readonly scratch: string;
  /** What the project's own files' names start with (their declarations are cells'). */
  readonly prefix: string;
  /** The names the accepted cells declare that later cells still see. */
  visibleNames(): DeclaredName[];
  /** Whether a name stands for an import (a cell's `import { area } from …`), not a value the cells declared. */
  isImport(name: string): boolean;
  /** Puts `text` in the scratch file (its `names` replacing earlier cells'), and the project as the checker then sees it. */
  projectWith(text: string, names: DeclaredName[]): Promise<Project>;
  /**
   * The text to put in the scratch file for the cell `text` with the cursor at `cursor`: with the
   * checker's names for the cell's and earlier cells' own types under a library's global name
   * (`Event`: replaced-names.ts's ownGlobalTypeName), and where each offset of `text` is in it.
   */
  languageText(text: string, cursor: number): { text: string; at: (offset: number) => number };
}

interface CompletionEntryLike {
  name: string;
  kind: string;
  sortText: string;
}

/** The keywords that name types, offered where a type goes (`const n: num|`, `x as stri|`). */
const TYPE_KEYWORDS = ["any", "bigint", "boolean", "never", "null", "number", "object", "string", "symbol", "undefined", "unknown", "void"];
/** Text before a word that makes it a type's place: an annotation, `as`, `satisfies`, `extends`, a union, a type argument, an alias. */
const TYPE_POSITION = /(?:[:|&<]|\b(?:as|satisfies|extends|implements|keyof|is)|\btype\s+[\p{ID_Start}$_][\p{ID_Continue}$]*(?:<[^>]*>)?\s*=)\s*$/u;

const KEYWORDS = [
  "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "declare", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof",
  "interface", "keyof", "let", "namespace", "new", "null", "of", "readonly", "return", "satisfies", "static", "super", "switch",
  "this", "throw", "true", "try", "type", "typeof", "undefined", "unique", "var", "void", "while", "yield",
];
const KEYWORD_SET = new Set(KEYWORDS);

/** A completion's kind for a name the checker resolved, by what declares it. */
function symbolKind(flags: SymbolFlags): string {
  if (flags & SymbolFlags.Class) return "class";
  if (flags & SymbolFlags.Function) return "function";
  if (flags & SymbolFlags.Enum) return "enum";
  if (flags & SymbolFlags.Interface) return "interface";
  if (flags & SymbolFlags.TypeParameter) return "type parameter";
  if (flags & SymbolFlags.TypeAlias) return "type";
  if (flags & SymbolFlags.Variable) return "variable";
  if (flags & SymbolFlags.Module) return "module";
  return "text";
}

/**
 * The API's objects over the kernel's channel to tsgo. Its snapshots are taken on demand: the
 * project moves on with every check (cell-project.ts updates tsgo directly), so each request takes
 * the current state and releases it afterwards.
 */
export class LanguageService {
  private readonly api: API;
  private snapshot: Snapshot | undefined;

  constructor(channel: TsgoChannel, cwd: string, private readonly tsconfig: string) {
    this.api = new API({ cwd });
    // The API would spawn a tsgo of its own on first use: it talks over this channel instead.
    const internals = this.api as unknown as { client: unknown; internal: { client: unknown } };
    internals.client = internals.internal.client = channel.apiClient();
  }

  /** The project as tsgo has it now. */
  async current(): Promise<Project> {
    await this.release();
    // Its files may have changed behind the API's back: nothing cached from an earlier snapshot is trusted.
    this.api.clearSourceFileCache();
    const snapshot = await this.api.updateSnapshot({});
    this.snapshot = snapshot;
    const project = snapshot.getProject(this.tsconfig);
    if (project === undefined) throw new Error(`the checker has no project for ${this.tsconfig}`);
    return project;
  }

  async release(): Promise<void> {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    await snapshot?.dispose();
  }

  async complete(view: LanguageView, source: string, cursorPos: number, names: DeclaredName[]): Promise<CompletionResult> {
    const offset = codePointToUtf16(source, Math.min(cursorPos, [...source].length));
    // In a string's or a comment's text there is no code to complete (`"Math.|`), except a module specifier;
    // a string's text is completed with what its type allows (`speed: "|` of a union of literals, `o["|` a key).
    const inText = inTextOrComment(source, offset) && SPECIFIER_SO_FAR.exec(source.slice(0, offset)) === null;
    const textStart = inText ? stringTextStart(source, offset) : undefined;
    if (inText && textStart === undefined) {
      const at = utf16ToCodePoint(source, offset);
      return { matches: [], cursorStart: at, cursorEnd: at, types: [] };
    }
    const start = textStart ?? wordStart(source, offset);
    const prefix = source.slice(start, offset);
    const cursorStart = utf16ToCodePoint(source, start);
    // After `.`, only what can follow a dot: a member, named as an identifier (`o["my-key"]` cannot be written
    // there, nor the `[Symbol]` entry that stands for a symbol-keyed member). A variable may: `ns.answer`, `os.EOL`.
    const member = /\??\.$/.test(source.slice(0, start));
    // Matched regardless of case, as editors do (`weak` offers weakref and WeakMap); the exact case first.
    const lower = prefix.toLowerCase();
    const candidates = textStart === undefined ? await this.completionEntries(view, source, offset, start, names) : ((await this.checkerEntries(view, source, offset, names)) ?? []);
    const entries = candidates.filter(
      (e) => e.name.toLowerCase().startsWith(lower) && !e.name.startsWith("__ephemeron_") && (!member || IDENTIFIER.test(e.name)),
    );
    const exact = (e: CompletionEntryLike) => (e.name.startsWith(prefix) ? 0 : 1);
    entries.sort((a, b) => exact(a) - exact(b) || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.name) && seen.add(e.name) !== undefined);
    return {
      matches: unique.map((e) => e.name),
      cursorStart,
      cursorEnd: utf16ToCodePoint(source, offset),
      types: unique.map((e) => ({ text: e.name, type: e.kind, start: cursorStart, end: utf16ToCodePoint(source, offset) })),
    };
  }

  /**
   * Completion entries at `offset`. Member completions (`Math.`) come from the
   * checker. Completions of a bare identifier make TypeScript 7.0.2's API fail
   * ("completion list needs auto imports"), so those are assembled here: the
   * names of the accepted cells and of this cell, the globals (as members of
   * `globalThis`), and keywords.
   */
  private async completionEntries(view: LanguageView, source: string, offset: number, start: number, names: DeclaredName[]): Promise<CompletionEntryLike[]> {
    const fromChecker = await this.checkerEntries(view, source, offset, names);
    if (fromChecker !== undefined) return fromChecker;
    const shown = view.languageText(source, offset);
    const project = await view.projectWith(shown.text, names);
    const entries: CompletionEntryLike[] = [];
    // Names a cell can write: not a module's (AMBIENT_MODULE_NAME).
    for (const n of [...view.visibleNames(), ...names]) if (IDENTIFIER.test(n.name)) entries.push({ name: n.name, kind: n.kind, sortText: "11" });
    // The cell's other words that are names in scope here (a parameter, a local): not those of its strings and comments.
    const prefix = source.slice(start, offset).toLowerCase();
    const words = new Set<string>();
    for (const match of source.matchAll(/[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu)) {
      if (match.index !== start && match[0].toLowerCase().startsWith(prefix) && !KEYWORD_SET.has(match[0])) words.add(match[0]);
    }
    const here = { document: view.scratch, position: shown.at(offset) };
    for (const word of words) {
      const symbol = await project.checker.resolveName(word, SymbolFlags.Value | SymbolFlags.Type | SymbolFlags.Namespace, here, true);
      if (symbol !== undefined) entries.push({ name: word, kind: symbolKind(symbol.flags), sortText: "11" });
    }
    if (TYPE_POSITION.test(source.slice(0, start))) {
      for (const keyword of TYPE_KEYWORDS) entries.push({ name: keyword, kind: "keyword", sortText: "10" });
    }
    const probe = `${shown.text.slice(0, shown.at(start))}globalThis.${shown.text.slice(shown.at(start))}`;
    const probed = await view.projectWith(probe, names);
    try {
      const info = await probed.checker.getCompletionsAtPosition(view.scratch, shown.at(offset) + "globalThis.".length);
      for (const e of info?.entries ?? []) entries.push({ name: withoutOwnName(insertedName(e)), kind: completionKindName(e.kind), sortText: "13" });
    } catch {
      // Globals are a bonus: the cells' own names are already there.
    }
    for (const keyword of KEYWORDS) entries.push({ name: keyword, kind: "keyword", sortText: "15" });
    return entries;
  }

  /**
   * The checker's completions at `offset`, or undefined where TypeScript 7.0.2's API cannot give them
   * (a bare identifier: "completion list needs auto imports"). In a string's text, the literals and
   * keys its type allows, none where any text goes.
   */
  private async checkerEntries(view: LanguageView, source: string, offset: number, names: DeclaredName[]): Promise<CompletionEntryLike[] | undefined> {
    // The cell as typed (imports included, so completion inside them works), its own types under a
    // library's global name as the check names them (languageText); its names replace earlier ones.
    const shown = view.languageText(source, offset);
    const project = await view.projectWith(shown.text, names);
    try {
      const info = await project.checker.getCompletionsAtPosition(view.scratch, shown.at(offset));
      return (info?.entries ?? []).map((e) => ({ name: withoutOwnName(insertedName(e)), kind: completionKindName(e.kind), sortText: e.sortText ?? "" }));
    } catch (error) {
      if (!(error instanceof Error && /needs auto imports/.test(error.message))) throw error;
      return undefined;
    }
  }

  async inspect(view: LanguageView, source: string, cursorPos: number, detailLevel: 0 | 1, names: DeclaredName[]): Promise<InspectResult> {
    const nothing: InspectResult = { found: false, plain: "", markdown: "" };
    const offset = codePointToUtf16(source, Math.min(cursorPos, [...source].length));
    // On a word, that word; else (inside a call's parentheses: `add(1, |2)`) the function called, as IPython does.
    const word = isIdentifierChar(source, offset) ? offset : isIdentifierChar(source, offset - 1) ? offset - 1 : -1;
    // A number is no name (`max(1, |2)`): its call's function is what is asked about.
    const at = word >= 0 && /^[\p{ID_Start}$_#]/u.test(source.slice(wordStart(source, word + 1))) ? word : calleeEnd(source, offset);
    if (at < 0) return nothing;
    const shown = view.languageText(source, offset);
    let project = await view.projectWith(shown.text, names);
    let symbol = await project.checker.getSymbolAtPosition(view.scratch, shown.at(at));
    const valuePath = await notebookValuePath(project, view, source, at, symbol, shown.at);
    const notFound: InspectResult = valuePath === undefined ? nothing : { ...nothing, valuePath };
    if (symbol === undefined) {
      // A name that is only a type (`Shape?` for an interface) means nothing where a value goes:
      // asked again in a type's place.
      const found = TYPE_PATH.exec(source.slice(0, wordEnd(source, at)));
      if (found === null) return notFound;
      // The path as the scratch file has it (an own type's name renamed).
      const path = shown.text.slice(shown.at(found.index), shown.at(found.index + found[0].length));
      const probe = `${shown.text}\n;type __ephemeron_inspected = ${path};`;
      project = await view.projectWith(probe, names);
      symbol = await project.checker.getSymbolAtPosition(view.scratch, probe.length - 2);
      // A name nothing declares comes back as the checker's stand-in for it, with no declaration.
      if (symbol === undefined || symbol.declarations.length === 0) return notFound;
    }
    const checker = project.checker;
    if (symbol.flags & SymbolFlags.Alias) symbol = await checker.getAliasedSymbol(symbol);
    if (view.isImport(symbol.name)) symbol = (await importedThrough(project, view.prefix, symbol)) ?? symbol;
    // A name both a value and a type (`const Status` and `type Status`) is described as what it means here, as tsc's quick info does.
    const meaning = symbol.flags & SymbolFlags.Value && symbol.flags & SymbolFlags.Type && !(symbol.flags & SymbolFlags.Class)
      ? ((await atTypePosition(project, view.scratch, shown.at(at))) ? "type" : "value")
      : undefined;
    if (meaning !== "type") symbol = (await replacedClass(project, view.prefix, symbol)) ?? symbol;
    const runtimes = await runtimeGlobal(project, symbol);
    const signature = runtimes?.signature ?? withoutReplacedNames(await describe(project, symbol, meaning));
    const documentation = await checker.getDocumentationCommentOfSymbol(runtimes?.documented ?? symbol);
    // One of each tag: overloads repeat their `@param`s.
    const tags = [...new Set((await checker.getJsDocTagsOfSymbol(symbol)).map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`))];
    const docs = [documentation, ...(detailLevel === 1 || documentation === "" ? tags : [])].filter((s) => s !== "").join("\n");
    const plain = docs === "" ? signature : `${signature}\n\n${docs}`;
    const markdown = "```typescript\n" + signature + "\n```" + (docs === "" ? "" : `\n\n${docs}`);
    const declared = detailLevel === 1 ? await declaredSource(project, view, symbol) : undefined;
    return { found: true, plain, markdown, ...(valuePath && { valuePath }), ...(declared !== undefined && { source: declared }) };
  }
}

/**
 * The text of a function's or class's declarations in an accepted cell (each overload's), with the
 * names the user wrote: the checker's file keeps the cell's offsets but renames what later cells
 * declared again (replaced-names.ts) and blanks `export`. A global (`Math.max`) or a name the
 * inspected text itself declares has none.
 */
async function declaredSource(project: Project, view: LanguageView, symbol: TsSymbol): Promise<string | undefined> {
  if (!(symbol.flags & (SymbolFlags.Function | SymbolFlags.Class))) return undefined;
  const texts: string[] = [];
  for (const declaration of symbol.declarations) {
    if (!declaration.path.startsWith(view.prefix) || declaration.path === view.scratch) continue;
    const node = await declaration.resolve(project);
    if (node?.kind === SyntaxKind.FunctionDeclaration || node?.kind === SyntaxKind.ClassDeclaration) texts.push(withoutReplacedNames(node.getText()));
  }
  return texts.length === 0 ? undefined : texts.join("\n");
}

/** A path of names (`a`, `a.b`) ending at the end of a text: not after another dot, `?.`, a call or an index. */
const NAME_PATH = /(?<![\p{ID_Continue}$\u200c\u200d.\])#])[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*(?:\s*\.\s*[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)*$/u;

/**
 * The path of names to the word at `at` (`["loose", "inner"]` on `inner` of `loose.inner`), when its
 * first name is a notebook variable in a value's place: declared at the top level of a cell, whose value the runtime's
 * global holds. A parameter or a function's local that shares a global's spelling is not, and neither
 * is a name no cell declares (`Math`): the runtime is asked only about what the notebook made.
 */
async function notebookValuePath(project: Project, view: LanguageView, source: string, at: number, symbol: TsSymbol | undefined, scratchAt: (offset: number) => number): Promise<string[] | undefined> {
  const match = NAME_PATH.exec(source.slice(0, wordEnd(source, at)));
  if (match === null) return undefined;
  const path = match[0].split(".").map((name) => name.trim());
  const root = path.length === 1 ? symbol : await project.checker.getSymbolAtPosition(view.scratch, scratchAt(match.index));
  const declaration = root?.valueDeclaration;
  // Declared by the text inspected (the scratch file), the name has no value yet: the notebook's is an earlier cell's declaration's.
  if (root === undefined || declaration === undefined || !declaration.path.startsWith(view.prefix) || declaration.path === view.scratch) return undefined;
  if (!cellGlobal(await declaration.resolve(project))) return undefined;
  // `const lit: Light` where Light is a constant and a type: the type is meant, which has no value.
  if (root.flags & (SymbolFlags.Type | SymbolFlags.Namespace) && (await atTypePosition(project, view.scratch, scratchAt(at)))) return undefined;
  return path;
}

/** Nodes between a variable's declaration and its statement. */
const VARIABLE_PARTS = new Set([SyntaxKind.VariableDeclaration, SyntaxKind.VariableDeclarationList, SyntaxKind.VariableStatement, SyntaxKind.BindingElement, SyntaxKind.ObjectBindingPattern, SyntaxKind.ArrayBindingPattern]);
/** Statements a `var` inside still declares a global (no function or class between it and the cell). */
const VAR_BLOCKS = new Set([
  SyntaxKind.Block, SyntaxKind.IfStatement, SyntaxKind.ForStatement, SyntaxKind.ForInStatement, SyntaxKind.ForOfStatement, SyntaxKind.WhileStatement,
  SyntaxKind.DoStatement, SyntaxKind.TryStatement, SyntaxKind.LabeledStatement, SyntaxKind.SwitchStatement, SyntaxKind.CaseBlock, SyntaxKind.CaseClause, SyntaxKind.DefaultClause,
]);

/** Whether a cell's declaration makes a global: a statement of the cell itself, or a `var` in its blocks. */
function cellGlobal(declaration: Node | undefined): boolean {
  if (declaration === undefined) return false;
  const list = declaration.kind === SyntaxKind.VariableDeclaration ? declaration.parent : undefined;
  const isVar = list?.kind === SyntaxKind.VariableDeclarationList && (list.flags & (NodeFlags.Let | NodeFlags.Const)) === 0;
  for (let node = declaration.parent; node !== undefined; node = node.parent) {
    if (node.kind === SyntaxKind.SourceFile) return true;
    if (!VARIABLE_PARTS.has(node.kind) && !(isVar && VAR_BLOCKS.has(node.kind))) return false;
  }
  return false;
}

/**
 * What an earlier cell's import stands for. The checker sees `import { area } from "./geo.ts"`
 * as `declare const area: typeof import("./geo.ts")["area"]` (cell-source.ts): inspecting
 * `area` should show the function it imported, with its documentation, not that constant.
 */
async function importedThrough(project: Project, prefix: string, symbol: TsSymbol): Promise<TsSymbol | undefined> {
  const declaration = symbol.valueDeclaration;
  if (!(symbol.flags & SymbolFlags.Variable) || declaration === undefined || !declaration.path.startsWith(prefix)) return undefined;
  if (!(((await declaration.resolve(project))?.flags ?? 0) & NodeFlags.Ambient)) return undefined;
  const target = await (await project.checker.getTypeOfSymbol(symbol))?.getSymbol();
  const home = target?.declarations[0]?.path;
  // A namespace import's type is the module's shape (`PlatformPath`): the import itself says more.
  if (target === undefined || (target.flags & SymbolFlags.Interface && !(target.flags & SymbolFlags.Value))) return undefined;
  return home !== undefined && !home.startsWith(prefix) ? target : undefined;
}

/**
 * The class a cell declared, where a later cell declared an interface of its name: the checker's
 * files have it renamed, and in its place `declare const Vertex: typeof <the renamed class>`
 * (cell-project.ts), which would be shown as that constant, not as the class it is.
 */
async function replacedClass(project: Project, prefix: string, symbol: TsSymbol): Promise<TsSymbol | undefined> {
  const declaration = symbol.valueDeclaration;
  if (!(symbol.flags & SymbolFlags.Variable) || declaration === undefined || !declaration.path.startsWith(prefix)) return undefined;
  const target = await (await project.checker.getTypeOfSymbol(symbol))?.getSymbol();
  return target !== undefined && target.flags & SymbolFlags.Class && withoutReplacedNames(target.name) === symbol.name && target.name !== symbol.name ? target : undefined;
}

/**
 * Whether the name at `offset` of `file` stands where a type goes (`const s: Status`, `implements Shape`),
 * not where a value does (`Status.On`, `typeof Status`, `class A extends Base`): tsc's meaning of a location.
 */
async function atTypePosition(project: Project, file: string, offset: number): Promise<boolean> {
  const sourceFile = await project.program.getSourceFile(file);
  if (sourceFile === undefined) return false;
  let node: Node = getTouchingPropertyName(sourceFile, offset);
  // The whole of a dotted name (`NS.Shape`): what holds it says which meaning it has.
  while (isQualifiedName(node.parent) && node.parent.right === node) node = node.parent;
  const parent = node.parent;
  if (isTypeQueryNode(parent)) return false;
  if ((isTypeAliasDeclaration(parent) || isInterfaceDeclaration(parent)) && parent.name === node) return true;
  if (isExpressionWithTypeArguments(parent) && isHeritageClause(parent.parent)) {
    return parent.parent.token === SyntaxKind.ImplementsKeyword || isInterfaceDeclaration(parent.parent.parent);
  }
  return isTypeNode(parent);
}

/**
 * A global @types/node declares and the runtime defines anew (`gc`: V8's optional --expose-gc
 * function there, ephemeron's collector here): described by the type the runtime gives it, and
 * documented by that type's declaration (types/memory.d.ts), not by Node's "Enable this API with
 * the --expose-gc CLI flag".
 */
async function runtimeGlobal(project: Project, symbol: TsSymbol): Promise<{ signature: string; documented: TsSymbol } | undefined> {
  if (!ALWAYS_DEFINED_GLOBALS.has(symbol.name) || !symbol.valueDeclaration?.path.includes("/node_modules/@types/node/")) return undefined;
  const type = await project.checker.getTypeOfSymbol(symbol);
  const defined = type === undefined ? undefined : await project.checker.getNonNullableType(type);
  const documented = await defined?.getSymbol();
  if (defined === undefined || documented === undefined) return undefined;
  return { signature: `const ${symbol.name}: ${await project.checker.typeToString(defined, undefined, FULL_TYPE)}`, documented };
}

/** A one-line description of a symbol, as the editor's hover shows it. */
/** `meaning`: which of a name's meanings to describe, where it has both a value and a type (undefined: as it has). */
async function describe(project: Project, symbol: TsSymbol, meaning?: "value" | "type"): Promise<string> {
  const checker = project.checker;
  const name = symbol.name;
  const flags = symbol.flags;
  if (flags & SymbolFlags.Interface && (meaning === "type" || !(flags & SymbolFlags.Value))) return `interface ${name}${await typeParameters(project, symbol)}`;
  if (flags & SymbolFlags.TypeAlias && meaning !== "value") {
    // Written out, not named: the alias's own name is what typeToString gives for it otherwise.
    return `type ${name}${await typeParameters(project, symbol)} = ${await checker.typeToString(await checker.getDeclaredTypeOfSymbol(symbol), undefined, FULL_TYPE | NodeBuilderFlags.InTypeAlias)}`;
  }
  const type = await checker.getTypeOfSymbol(symbol);
  if (flags & SymbolFlags.Class) return describeClass(project, symbol, type);
  const typeText = type === undefined ? "any" : await checker.typeToString(type, undefined, FULL_TYPE);
  // A function merged with a namespace (`setTimeout`) prints as `typeof setTimeout`, a callable interface
  // (`weakref.ref`: RefConstructor) by its name, an overloaded method (`"abc".replace`) as one object type
  // of all its signatures on one line: their call signatures say what they are, one line each.
  const overloaded = flags & (SymbolFlags.Function | SymbolFlags.Method) && typeText.startsWith("{");
  if (type !== undefined && (overloaded || typeText === `typeof ${name}` || /^[\p{ID_Start}$_][\p{ID_Continue}$.]*$/u.test(typeText))) {
    const signatures = await callSignatures(project, type);
    if (signatures.length > 0) return (await Promise.all(signatures.map((signature) => describeAs(project, symbol, signature)))).join("\n");
  }
  return describeAs(project, symbol, typeText);
}

/** A generic interface's or type alias's type parameters as declared (`<T, U extends string = "x">`): T means nothing without them. */
async function typeParameters(project: Project, symbol: TsSymbol): Promise<string> {
  const declaration = (await symbol.declarations[0]?.resolve(project)) as { typeParameters?: Iterable<{ getText(): string }> } | undefined;
  const parameters = [...(declaration?.typeParameters ?? [])].map((parameter) => parameter.getText());
  return parameters.length > 0 ? `<${parameters.join(", ")}>` : "";
}

/** `symbol` described with `typeText` as its type. */
async function describeAs(project: Project, symbol: TsSymbol, typeText: string): Promise<string> {
  const name = symbol.name;
  const flags = symbol.flags;
  if (flags & SymbolFlags.Class) return `class ${name}`;
  if (flags & SymbolFlags.Enum) return `enum ${name}`;
  if (flags & SymbolFlags.Module && !(flags & (SymbolFlags.Variable | SymbolFlags.Function))) return `namespace ${name}`;
  if (flags & (SymbolFlags.Function | SymbolFlags.Method)) {
    const keyword = flags & SymbolFlags.Function ? "function" : "(method)";
    const arrow = splitArrow(typeText);
    return arrow === undefined ? `${keyword} ${name}: ${typeText}` : `${keyword} ${name}${arrow.parameters}: ${arrow.result}`;
  }
  if (flags & SymbolFlags.Property) return `(property) ${name}: ${typeText}`;
  if (flags & SymbolFlags.EnumMember) return `(enum member) ${name} = ${typeText}`;
  if (flags & SymbolFlags.Variable) return `${await variableKeyword(project, symbol)} ${name}: ${typeText}`;
  return `${name}: ${typeText}`;
}

/** The call signatures of a type, each as a function type (`(callback: …, ms?: number) => Timeout`). */
async function callSignatures(project: Project, type: Type, kind: SignatureKind = SignatureKind.Call): Promise<string[]> {
  const texts: string[] = [];
  for (const signature of await project.checker.getSignaturesOfType(type, kind)) {
    const syntax = kind === SignatureKind.Construct ? SyntaxKind.ConstructorType : SyntaxKind.FunctionType;
    const node = await project.checker.signatureToSignatureDeclaration(signature, syntax, undefined, FULL_TYPE);
    if (node !== undefined) texts.push(await project.emitter.printNode(node));
  }
  return texts;
}

/** A class and how it is made, as a hover over `new Point(|` shows it: `constructor(x: number, y: number)` per overload. */
async function describeClass(project: Project, symbol: TsSymbol, type: Type | undefined): Promise<string> {
  const constructors = type === undefined ? [] : await callSignatures(project, type, SignatureKind.Construct);
  // `new (x: number) => Point` → `constructor(x: number)`; a constructor taking nothing says nothing.
  const lines = constructors.map((text) => splitArrow(text.replace(/^new\s*/, ""))?.parameters).filter((parameters) => parameters !== undefined && parameters !== "()");
  return [`class ${symbol.name}`, ...lines.map((parameters) => `constructor${parameters}`)].join("\n");
}

async function variableKeyword(project: Project, symbol: TsSymbol): Promise<string> {
  const declaration = await symbol.valueDeclaration?.resolve(project);
  if (declaration?.kind === SyntaxKind.Parameter) return "(parameter)";
  const list = declaration?.parent;
  if (list?.kind === SyntaxKind.VariableDeclarationList) {
    if (list.flags & NodeFlags.Const) return "const";
    if (list.flags & NodeFlags.Let) return "let";
    return "var";
  }
  return symbol.flags & SymbolFlags.BlockScopedVariable ? "let" : "var";
}

/** Types written in full: no "… 2 more …" in the middle of a signature. */
const FULL_TYPE = NodeBuilderFlags.NoTruncation;
/** A name that can follow a dot: an identifier, or a private `#name`. */
const IDENTIFIER = /^#?[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** Whether the character at `offset` (either half of a surrogate pair) belongs to a name (`𝒳` included). */
function isIdentifierChar(text: string, offset: number): boolean {
  if (offset < 0 || offset >= text.length) return false;
  const at = /[\uDC00-\uDFFF]/.test(text[offset]!) && offset > 0 ? offset - 1 : offset;
  return /^[\p{ID_Continue}$\u200c\u200d]/u.test(String.fromCodePoint(text.codePointAt(at)!));
}

/** Where the name ending at `offset` starts; a private name's `#` is part of it. */
/** The text of a module specifier typed so far, when `text` ends inside one: `import x from "node:f`, `require("./li`. */
const SPECIFIER_SO_FAR = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+|\bexport\s*\*\s*from\s*)["']([^"'\n]*)$/;

/** A name or a dotted path to one (`NS.Shape`) at the end of a text. */
const TYPE_PATH = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*(?:\.[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)*$/u;

/** The end of the word that holds (or ends at) `offset`. */
function wordEnd(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && isIdentifierChar(text, end)) end++;
  return end;
}

function wordStart(text: string, offset: number): number {
  // In a module specifier the word is the whole name (`node:fs`, `@scope/pkg`), or the last segment of a
  // path or of a package's subpath (`zod/v4`, `date-fns/locale/fr`), as the checker offers them.
  const specifier = SPECIFIER_SO_FAR.exec(text.slice(0, offset))?.[1];
  if (specifier !== undefined) {
    const inPath = /^\.{1,2}\//.test(specifier) || specifier.startsWith(`${packageName(specifier)}/`);
    return offset - (inPath ? specifier.length - (specifier.lastIndexOf("/") + 1) : specifier.length);
  }
  let start = offset;
  while (start > 0 && isIdentifierChar(text, start - 1)) start--;
  return text[start - 1] === "#" ? start - 1 : start;
}

/**
 * The end of the name of the function whose call's parentheses hold `offset` (`add` in
 * `add(1, |2)`), or -1: back to the innermost `(` not closed before the cursor.
 */
function calleeEnd(text: string, offset: number): number {
  let depth = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === ")" || ch === "]" || ch === "}") depth++;
    else if (ch === "(" || ch === "[" || ch === "{") {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (ch !== "(") return -1;
      let end = i;
      while (end > 0 && /\s/.test(text[end - 1]!)) end--;
      return isIdentifierChar(text, end - 1) ? end - 1 : -1;
    }
  }
  return -1;
}

/** What a completion puts in the cell: an optional member's name without the `?` its label carries. */
function insertedName(entry: CompletionEntry): string {
  const text = entry.insertText ?? entry.name;
  return text.endsWith("?") && IDENTIFIER.test(text.slice(0, -1)) ? text.slice(0, -1) : text;
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
