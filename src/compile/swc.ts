// @swc/core, loaded once and only when the first cell is compiled (loading it costs ~15 ms),
// and the two calls made of it: type stripping, and parsing (the transform parses the
// stripped JavaScript; the checker's side parses the cell's TypeScript to find its names).

import { createRequire } from "node:module";
import type * as Swc from "@swc/core";
import { marksAPlace } from "./syntax-error.js";

let swc: typeof Swc | undefined;

/**
 * swc's binding allocates with mimalloc, which asks the OS for transparent huge pages: with
 * THP on `madvise` (Debian's default) the few kB a cell's parse touches in its arena made it a
 * 2 MB page, 3 MB more resident in the kernel for good, and no faster (the arena holds one
 * cell's syntax tree). mimalloc reads its options from the environment when the binding is
 * loaded; the variable is gone again before anything else (the runtime, the notebook's child
 * processes) could inherit it. A value the user set is left as it is.
 */
const NO_LARGE_PAGES = "MIMALLOC_ALLOW_LARGE_OS_PAGES";

function load(): typeof Swc {
  if (swc) return swc;
  const userSet = NO_LARGE_PAGES in process.env;
  if (!userSet) process.env[NO_LARGE_PAGES] = "0";
  try {
    swc = createRequire(import.meta.url)("@swc/core") as typeof Swc;
  } finally {
    if (!userSet) delete process.env[NO_LARGE_PAGES];
  }
  return swc;
}

/**
 * TypeScript → ES2022 JavaScript, types erased, imports and exports of a cell kept as written
 * (`verbatimModuleSyntax`: an import the cell does not use itself is still needed by later
 * cells), class fields with define semantics as tsc's ES2022 default, decorators as TypeScript 5
 * has them (TC39's, not `experimentalDecorators`: V8 has none, so swc writes them out), no JSX.
 * A `module` (a TypeScript file beside the notebook) is whole: its imports that no value uses
 * are elided, as tsc elides them (`import { SomeInterface } from "m"` asks `m` for nothing).
 * Throws swc's diagnostic text on a syntax error.
 */
export function stripTypes(source: string, filename: string, kind: "cell" | "module" = "cell"): { code: string; map: string } {
  const out = load().transformSync(mendedEnd(source), {
    filename,
    sourceFileName: filename,
    sourceMaps: true,
    inputSourceMap: false,
    isModule: true,
    swcrc: false,
    configFile: false,
    jsc: {
      parser: { syntax: "typescript", tsx: false, decorators: true, dynamicImport: true },
      target: "es2022",
      loose: false,
      externalHelpers: false,
      keepClassNames: true,
      preserveAllComments: true,
      experimental: { keepImportAttributes: true },
      transform: { verbatimModuleSyntax: kind === "cell", useDefineForClassFields: true, decoratorVersion: "2022-03" },
    },
  });
  return { code: out.code, map: out.map ?? '{"mappings":""}' };
}

/**
 * Parses JavaScript or TypeScript as an ES module. `at` turns the UTF-8 byte positions of the
 * result's spans into offsets in `code` (UTF-16, as JavaScript strings count).
 */
export function parseWithOffsets(code: string, syntax: "ecmascript" | "typescript"): { body: Swc.ModuleItem[]; at: (pos: number) => number } {
  // A leading ";" gives a statement at a known place: swc's spans have had a varying base.
  const module = load().parseSync(";" + (syntax === "typescript" ? mendedEnd(code) : code), syntax === "typescript"
    ? { syntax, tsx: false, decorators: true, dynamicImport: true, target: "es2022", script: false }
    : { syntax, target: "es2022", script: false });
  const base = module.body[0]!.span.start;
  return { body: module.body.slice(1), at: spanConverter(code, base) };
}

/**
 * `code`, with a `;` after a last word `module` (a variable's name: `module.exports`'s, or the
 * notebook's own), which swc's TypeScript parser takes for the start of a `module` declaration
 * cut short ("Unexpected eof"). Only added at the end: no position moves.
 */
function mendedEnd(code: string): string {
  return /(?<![\p{ID_Continue}$.]|\bdeclare\s+)module\s*$/u.test(code) ? `${code};` : code;
}

/**
 * Whether `code`, which does not parse as TypeScript, parses as TSX: a cell written in JSX
 * (`<div/>`), where swc's own error reads as nonsense ("Unterminated regexp literal").
 */
export function parsesAsTsx(code: string): boolean {
  try {
    load().parseSync(code, { syntax: "typescript", tsx: true, decorators: true, dynamicImport: true, target: "es2022", script: false });
    return true;
  } catch {
    return false;
  }
}

/** Whether swc parses `code` as a TypeScript module (what the transform will do with it). */
export function parsesAsTypeScript(code: string): boolean {
  return parseProblem(code) === undefined;
}

/**
 * Why swc cannot parse `code` as TypeScript, if it cannot: `"end"` when the parser ran out of
 * input (`if (x)`, `class A extends`: more lines could finish it), `"before end"` when it met a
 * token it cannot take (`const = 1`: no line added after mends it). swc marks the token it
 * stopped at with a caret under the snippet; at the end of the input there is none.
 */
export function parseProblem(code: string): "end" | "before end" | undefined {
  try {
    parseWithOffsets(code, "typescript");
    return undefined;
  } catch (error) {
    return marksAPlace(error) ? "before end" : "end";
  }
}

function spanConverter(code: string, base: number): (pos: number) => number {
  // swc counts bytes from `base`; the parsed text had one extra ";" in front of `code`.
  if (!/[^\x00-\x7f]/.test(code)) return (pos) => pos - base - 1;
  const bytes = Buffer.byteLength(code);
  const table = new Uint32Array(bytes + 1);
  let byte = 0;
  let index = 0;
  for (const ch of code) {
    const cp = ch.codePointAt(0)!;
    const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < len; k++) table[byte + k] = index;
    byte += len;
    index += ch.length;
  }
  table[bytes] = index;
  return (pos) => table[pos - base - 1]!;
}

/** The identifiers a binding pattern binds (`{ a, b: [c], ...d }` → a, c, d), in source order. */
export function bindingIdentifiers(pattern: Swc.Pattern | Swc.ObjectPatternProperty | undefined | null, out: Swc.Identifier[] = []): Swc.Identifier[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern);
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) bindingIdentifiers(element, out);
      break;
    case "ObjectPattern":
      for (const property of pattern.properties) bindingIdentifiers(property, out);
      break;
    case "AssignmentPattern":
      bindingIdentifiers(pattern.left, out);
      break;
    case "RestElement":
      bindingIdentifiers(pattern.argument, out);
      break;
    case "KeyValuePatternProperty":
      bindingIdentifiers(pattern.value, out);
      break;
    case "AssignmentPatternProperty":
      out.push(pattern.key);
      break;
    default:
      break;
  }
  return out;
}

/** A `var` declaration inside a top-level statement, which a script hoists to the top level, and where it stands. */
export interface NestedVar {
  declaration: Swc.VariableDeclaration;
  /** A statement of its own, a `for (var …;;)` head, or a `for (var … in/of …)` head. */
  place: "statement" | "for-init" | "for-head";
}

/** The `var` declarations in a statement's blocks, loops, branches and `try` (not in functions: theirs are local). */
export function nestedVars(stmt: Swc.Statement | undefined | null, out: NestedVar[] = []): NestedVar[] {
  if (!stmt) return out;
  switch (stmt.type) {
    case "VariableDeclaration":
      if (stmt.kind === "var") out.push({ declaration: stmt, place: "statement" });
      break;
    case "BlockStatement":
      for (const s of stmt.stmts) nestedVars(s, out);
      break;
    case "IfStatement":
      nestedVars(stmt.consequent, out);
      nestedVars(stmt.alternate, out);
      break;
    case "ForStatement":
      if (stmt.init?.type === "VariableDeclaration" && stmt.init.kind === "var") out.push({ declaration: stmt.init, place: "for-init" });
      nestedVars(stmt.body, out);
      break;
    case "ForInStatement":
    case "ForOfStatement":
      if (stmt.left.type === "VariableDeclaration" && stmt.left.kind === "var") out.push({ declaration: stmt.left, place: "for-head" });
      nestedVars(stmt.body, out);
      break;
    case "WhileStatement":
    case "DoWhileStatement":
    case "LabeledStatement":
      nestedVars(stmt.body, out);
      break;
    case "TryStatement":
      nestedVars(stmt.block, out);
      nestedVars(stmt.handler?.body, out);
      nestedVars(stmt.finalizer, out);
      break;
    case "SwitchStatement":
      for (const c of stmt.cases) for (const s of c.consequent) nestedVars(s, out);
      break;
    default:
      break;
  }
  return out;
}

/** A node of swc's AST, as a walker sees it. */
export type SwcNode = { type?: string; span?: Swc.Span; [field: string]: unknown };

/** `visit` for each node of `node`, outer ones first; a node's children are entered when `visit` says so. */
export function eachNode<N extends SwcNode = SwcNode>(node: unknown, visit: (n: N) => boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) eachNode(item, visit);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as N;
  if (!visit(n)) return;
  for (const [field, child] of Object.entries(n)) if (field !== "span" && field !== "ctxt") eachNode(child, visit);
}

/** Where `node`'s `import.meta`s start, as offsets `at` gives. */
export function importMetaStarts(node: unknown, at: (pos: number) => number): number[] {
  const found: number[] = [];
  eachNode(node, (n) => {
    if (n.type === "MetaProperty" && n.kind === "import.meta" && n.span) found.push(at(n.span.start));
    return true;
  });
  return found;
}

/** Whether an identifier spelled `name` appears anywhere in `node`. */
export function identifierIn(node: unknown, name: string): boolean {
  let found = false;
  eachNode(node, (n) => {
    if (n.type === "Identifier" && n.value === name) found = true;
    return !found;
  });
  return found;
}
