// The re-runnable cell transform: one notebook cell of TypeScript → a plain script for
// `new vm.Script(code, { filename }).runInContext(context)` in the one context all cells share.
//
//   import fs from "fs"; const { a } = f(); class K {}; function g() {}; await a; a + 1
// becomes (one line of header, then swc's JavaScript with small edits in place)
//   var fs, a, K, g; (async () => { { fs = (await __ephemeron_import("fs")).default; } g = function () {}; ...
//   ({ a } = f());
//   K = class K {};
//   await a;
//   return { value: (0, a + 1) };
//   })()
//
// Two stages. swc strips the types (ES2022, imports kept verbatim, with a source map), then
// swc parses that JavaScript and we edit its text: every top-level binding becomes a `var` of
// the script (a global of the context, which any later cell may declare again), the body runs
// in an async arrow (top-level `await`, `for await`), imports become calls of the runtime's
// `__ephemeron_import` at the top, function declarations are assigned at the top (hoisting),
// the last expression statement returns `{ value }`, and a top-level block or loop that binds
// `let`/`const` runs in a function of its own (so its objects die with it, not with the cell's
// suspended frame). The edits keep swc's map segments
// where their text goes, so every position maps back to the cell exactly.
//
// No "use strict" is added: cells have sloppy script semantics, as in Node's REPL and browser
// consoles, so `x = 5` without a declaration makes a global, and a cell behaves as the same
// code would as a script. (The type checker already reports undeclared names; strict mode
// would only turn them into runtime errors as well.) A cell that starts with its own
// "use strict" directive gets a strict body.
//
// A `let`, `const` or `class` name is no `var`: the global comes to be when the declaration
// runs, so reading it before (`function f() { return later }` called above `const later`), or
// after a line above it threw, is a ReferenceError, as the temporal dead zone makes it in a
// file, instead of `undefined`. (A strict cell keeps the `var`s: it may not make globals by
// assignment.) Once a run has made the name, a cell run again sees its value until the
// declaration runs again. A getter, setter or read-only property of the global object by such a
// name would take the assignment (`let clock = 5` after a `clock` getter stayed the getter's):
// the script first asks the runtime to remove it (LEXICAL_NAMES_FUNCTION), as a script's binding
// would shadow it.
//
// Names swc makes up (its helpers for `using` and decorators, a decorated class's `_initProto`)
// are not the notebook's: they stay `var`s of the cell's function, each cell with its own.
//
// Trade-offs, as the prototype (notes Q4) measured them: `const` becomes re-assignable; an
// import copies the module's exports at import time (no live bindings); enum and namespace
// objects start fresh whenever a cell declaring them runs.

import type * as Swc from "@swc/core";
import { Rewrite } from "./rewrite.js";
import { buildSourceMap, lineStarts, OffsetMap, type SourceMapV3 } from "./sourcemap.js";
import { codePointToUtf16, utf16ToCodePoint } from "./code-points.js";
import { bindingIdentifiers, eachNode, identifierIn, importMetaStarts, nestedVars, parseWithOffsets, parsesAsTsx, stripTypes, type SwcNode } from "./swc.js";
import { CellSyntaxError, cellSyntaxError } from "./syntax-error.js";
import { reopenedNamespaceUses } from "./reopened-namespaces.js";
import { suppressedErrorUses } from "./suppressed-error.js";
import { sourceLines } from "../runtime/source-lines.js";
import { markFunctionTexts } from "./function-texts.js";
import type { FunctionTexts } from "../runtime/protocol.js";
import { CELL_TOKEN_FUNCTION, IMPORT_META, IMPORTED_NAME, IMPORTED_NAMESPACE, LEXICAL_NAMES_FUNCTION, REQUIRED_MODULE, RESUMED_FUNCTION } from "../runtime/protocol.js";

export { CellSyntaxError, cellSyntaxError } from "./syntax-error.js";
export { stripTypes } from "./swc.js";
export type { SourceMapV3 } from "./sourcemap.js";

export interface TransformedCell {
  /** Script for vm.Script in the shared context. Its completion value is a Promise that
   *  resolves to `{ value: unknown }` when the cell ends in an expression statement
   *  (also after `await`), or to `undefined` when it ends in a declaration or other statement. */
  code: string;
  /** Source map v3 object from `code` back to the cell's TypeScript source. */
  map: SourceMapV3;
  /** Top-level names this cell declares, in source order: the runtime bindings (types are
   *  erased before this point, so interfaces and type aliases are not listed). */
  declared: string[];
  /** What `toString()` gives for the functions the code marks (runtime/function-sources.ts). */
  functions?: FunctionTexts;
}

type AnyNode = SwcNode & { kind?: string; isAwait?: boolean; await?: unknown };

/** Nodes that are a frame of their own: neither their declarations nor their awaits are the code's around them. */
const OWN_FRAMES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ClassMethod",
  "PrivateMethod",
  "Constructor",
  "ClassProperty",
  "PrivateProperty",
  "StaticBlock",
  "GetterProperty",
  "SetterProperty",
  "MethodProperty",
]);

/** `visit` for each node of `node`'s own frame; a nested frame is visited itself, but not entered. */
function eachInFrame(node: unknown, visit: (n: AnyNode) => void): void {
  eachNode(node, (n) => {
    visit(n);
    return !OWN_FRAMES.has(n.type ?? "");
  });
}

/** `for await`: swc marks it as `isAwait` or as the `await` keyword's span, by version. */
const isForAwait = (n: AnyNode): boolean => n.type === "ForOfStatement" && Boolean(n.isAwait || n.await);

/** What a statement's own scope holds: lexical declarations, awaits, or a function declared in a block (Annex B hoists it to the cell). */
function scopeUse(node: unknown): { lexical: boolean; awaits: boolean; blockFunction: boolean } {
  const found = { lexical: false, awaits: false, blockFunction: false };
  eachInFrame(node, (n) => {
    if (n.type === "FunctionDeclaration") found.blockFunction = true;
    else if ((n.type === "VariableDeclaration" && n.kind !== "var") || n.type === "ClassDeclaration") found.lexical = true;
    else if (n.type === "AwaitExpression" || isForAwait(n)) found.awaits = true;
  });
  return found;
}

/** The host function the runtime defines in the context: specifier → module namespace. */
export const IMPORT_FUNCTION = "__ephemeron_import";
/** The local that holds the cell's token (protocol.ts CELL_TOKEN_FUNCTION). */
const TOKEN = "__ephemeron_token";

/**
 * The awaits of a frame's own code (not of the functions it defines) and its `for await` loops,
 * where an interrupted cell must not go on: an interrupt ends a cell that waits, and what it
 * awaited may still settle later (`await sleep(2000)`).
 */
function resumptions(node: unknown): { awaits: Swc.AwaitExpression[]; loops: Swc.ForOfStatement[] } {
  const found = { awaits: [] as Swc.AwaitExpression[], loops: [] as Swc.ForOfStatement[] };
  eachInFrame(node, (n) => {
    if (n.type === "AwaitExpression") found.awaits.push(n as unknown as Swc.AwaitExpression);
    else if (isForAwait(n)) found.loops.push(n as unknown as Swc.ForOfStatement);
  });
  return found;
}

/** A function's body as swc gives it: a block (`stmts`), or an arrow's expression. */
type FunctionBody = AnyNode & { span: Span; stmts?: AnyNode[] };

/**
 * The bodies of the async functions anywhere in `node` (declarations, expressions, arrows, methods;
 * a class method's function is a node of its own without a type), outer ones first.
 */
function asyncBodies(node: unknown): FunctionBody[] {
  const out: FunctionBody[] = [];
  eachNode(node, (n) => {
    if (n.async === true && typeof n.body === "object" && n.body !== null) out.push(n.body as FunctionBody);
    return true;
  });
  return out;
}

/** Whether a statement is a directive (`"use strict"`): what must stay first in a function body. */
const isDirective = (statement: AnyNode): boolean =>
  statement.type === "ExpressionStatement" && (statement.expression as AnyNode | undefined)?.type === "StringLiteral";

const NAMESPACE_TEMP = "__ephemeron_ns";

interface Span {
  start: number;
  end: number;
}

function unparenthesize(expression: Swc.Expression | undefined | null): Swc.Expression | undefined {
  let e = expression ?? undefined;
  while (e?.type === "ParenthesisExpression") e = e.expression;
  return e;
}

/** `E` when `call` is what swc emits for an enum or namespace: `f(E || {})`, `f(E || (E = {}))`. */
function enumOrNamespaceName(call: Swc.Expression | undefined | null): string | undefined {
  const e = unparenthesize(call);
  if (e?.type !== "CallExpression" || e.arguments.length !== 1) return undefined;
  const arg = unparenthesize(e.arguments[0]!.expression);
  if (arg?.type !== "BinaryExpression" || arg.operator !== "||" || arg.left.type !== "Identifier") return undefined;
  const right = unparenthesize(arg.right);
  const isObject = right?.type === "ObjectExpression" ||
    (right?.type === "AssignmentExpression" && unparenthesize(right.right)?.type === "ObjectExpression");
  return isObject ? arg.left.value : undefined;
}

/**
 * The specifier when `declaration` is swc's output for `import x = require("m")`, or a cell's own
 * `const x = require("m")`: both load through the runtime's import (ES modules and TypeScript files
 * beside the notebook too); the first before the cell's code, the second where it stands.
 */
function requireSpecifier(declaration: Swc.VariableDeclaration): string | undefined {
  if (declaration.declarations.length !== 1) return undefined;
  const declarator = declaration.declarations[0]!;
  const init = unparenthesize(declarator.init);
  if (declarator.id.type !== "Identifier" || init?.type !== "CallExpression") return undefined;
  if (init.callee.type !== "Identifier" || init.callee.value !== "require" || init.arguments.length !== 1) return undefined;
  const arg = init.arguments[0]!;
  return !arg.spread && arg.expression.type === "StringLiteral" ? arg.expression.value : undefined;
}

class CellRewriter {
  readonly edit: Rewrite;
  /** Every top-level binding, in source order. */
  readonly hoisted = new Set<string>();
  /** Bindings made by a top-level `let`, `const` or `class`, and those made by anything else (var, function, import, enum). */
  private readonly lexical = new Set<string>();
  private readonly other = new Set<string>();
  /** Whether the cell's directives include "use strict". */
  private strict = false;
  /** Enum and namespace names, reset at the top so that they start fresh. */
  private readonly resets = new Set<string>();
  private readonly imports: { text: string; origin: number }[] = [];
  private readonly functions: { name: string; start: number; idStart: number; idEnd: number; end: number }[] = [];
  private prologueEnd = -1;
  private prologueStart = -1;
  /** Where each top-level class declaration (or `let` of a class) ends, and the names a bare `let x;` declares (swc's `let _Invoice;` for a decorated class). */
  private readonly classEnds = new Map<string, number>();
  private readonly bareLets = new Set<string>();

  /**
   * `importEquals`: the names the cell's `import x = require("m")` declare (swc writes them as `const x = require("m")`);
   * `aliases`: those its `import x = N.b` declare (swc's `const x = N.b`).
   */
  constructor(
    readonly code: string,
    private readonly at: (pos: number) => number,
    private readonly typeOnlyImports: ReadonlySet<string>,
    private readonly importEquals: ReadonlySet<string>,
    private readonly aliases: ReadonlySet<string>,
  ) {
    this.edit = new Rewrite(code);
  }

  private span(node: object): Span {
    const span = (node as { span: Span }).span;
    return { start: this.at(span.start), end: this.at(span.end) };
  }

  private hoist(names: Iterable<string>, lexical = false): void {
    for (const name of names) {
      this.hoisted.add(name);
      (lexical ? this.lexical : this.other).add(name);
    }
  }

  /** The names the script declares with `var` before the cell's body: all but the ones only `let`, `const` or `class` bind. */
  varNames(): string[] {
    return [...this.hoisted].filter((name) => this.strict || this.other.has(name) || !this.lexical.has(name));
  }

  rewrite(body: Swc.ModuleItem[]): void {
    let last = body.length - 1;
    while (last >= 0 && this.isSilent(body[last]!)) last--;
    // A directive prologue ("use strict") of the cell stays first in the body, where it applies.
    let prologue = 0;
    while (prologue < last && body[prologue]!.type === "ExpressionStatement" &&
      (body[prologue] as Swc.ExpressionStatement).expression.type === "StringLiteral") prologue++;
    this.markPrologue(body, prologue);
    for (let i = 0; i < body.length; i++) {
      const disposing = this.usingBlock(body, i);
      if (disposing) {
        // Its `env` stays a local of the cell; what the cell declares inside is the cell's own.
        const statements = disposing.block.stmts;
        let innerLast = statements.length - 1;
        while (innerLast >= 0 && this.isSilent(statements[innerLast]!)) innerLast--;
        for (let j = 0; j < statements.length; j++) this.topLevel(statements[j]!, i + 1 === last && j === innerLast);
        i++;
        continue;
      }
      this.topLevel(body[i]!, i === last);
    }
  }

  /**
   * A cell with `using` declarations, as swc writes it: `const env = { stack: [], … }`, then the
   * whole cell in `try { … } finally { _ts_dispose_resources(env) }`. The try statement, if
   * `body[index]` is that `env`.
   */
  private usingBlock(body: Swc.ModuleItem[], index: number): Swc.TryStatement | undefined {
    const declaration = body[index];
    const next = body[index + 1];
    if (declaration?.type !== "VariableDeclaration" || next?.type !== "TryStatement" || !next.finalizer) return undefined;
    const init = declaration.declarations.length === 1 ? declaration.declarations[0]!.init : undefined;
    if (init?.type !== "ObjectExpression" || !init.properties.some((p) => p.type === "KeyValueProperty" && p.key.type === "Identifier" && p.key.value === "stack")) return undefined;
    const finalizer = this.span(next.finalizer);
    return this.code.slice(finalizer.start, finalizer.end).includes("_ts_dispose_resources(") ? next : undefined;
  }

  /**
   * Statements that neither give a value nor end the cell: `;`, swc's trailing `var N;`, and the
   * `export {};` swc appends when it removed every import of a module (`import type` alone).
   */
  private isSilent(item: Swc.ModuleItem): boolean {
    if (item.type === "EmptyStatement") return true;
    if (item.type === "ExportNamedDeclaration" && item.specifiers.length === 0 && !item.source) return true;
    const decl = item.type === "ExportDeclaration" ? item.declaration : item;
    return decl.type === "VariableDeclaration" && decl.kind === "var" && decl.declarations.every((d) => !d.init);
  }

  private markPrologue(body: Swc.ModuleItem[], count: number): void {
    if (count === 0) return;
    this.prologueStart = this.span(body[0]!).start;
    this.prologueEnd = this.span(body[count - 1]!).end;
    this.strict = body.slice(0, count).some((item) => ((item as Swc.ExpressionStatement).expression as Swc.StringLiteral).value === "use strict");
  }

  private topLevel(item: Swc.ModuleItem, isLast: boolean): void {
    const span = this.span(item);
    switch (item.type) {
      case "ImportDeclaration":
        this.importDeclaration(item, span);
        return;
      case "ExportDeclaration": {
        const declSpan = this.span(item.declaration);
        this.edit.remove(span.start, declSpan.start);
        this.declaration(item.declaration, declSpan, isLast);
        return;
      }
      case "ExportDefaultDeclaration": {
        const decl = item.decl;
        const declSpan = this.span(decl);
        if (decl.type === "FunctionExpression" && decl.identifier) {
          this.edit.remove(span.start, declSpan.start);
          this.functionDeclaration({ ...decl, identifier: decl.identifier }, declSpan);
        } else if (decl.type === "ClassExpression" && decl.identifier) {
          this.edit.remove(span.start, declSpan.start);
          this.classDeclaration(decl.identifier.value, declSpan);
        } else if (decl.type !== "TsInterfaceDeclaration") {
          this.expressionStatement(span, declSpan, isLast, true);
        }
        return;
      }
      case "ExportDefaultExpression":
        this.expressionStatement(span, this.span(item.expression), isLast, true);
        return;
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration":
        // Cells are scripts: re-exports have nothing to export to.
        this.edit.remove(span.start, span.end);
        return;
      case "TsImportEqualsDeclaration":
      case "TsExportAssignment":
      case "TsNamespaceExportDeclaration":
        return; // swc has already turned these into JavaScript or rejected them
      default:
        this.declaration(item, span, isLast);
    }
  }

  private declaration(stmt: Swc.Statement, span: Span, isLast: boolean): void {
    switch (stmt.type) {
      case "VariableDeclaration": {
        const specifier = requireSpecifier(stmt);
        if (specifier !== undefined) {
          // module.exports for CommonJS, the namespace of an ES module (imports.ts).
          const name = (stmt.declarations[0]!.id as Swc.Identifier).value;
          const text = `{ const ${NAMESPACE_TEMP} = await ${IMPORT_FUNCTION}(${JSON.stringify(specifier)}); ` +
            `${name} = ${REQUIRED_MODULE}(${NAMESPACE_TEMP}); }`;
          this.edit.remove(span.start, span.end);
          if (this.importEquals.has(name)) {
            // `import x = require("m")`, an import: it runs before the cell's code, as imports do.
            this.hoist([name]);
            this.imports.push({ text, origin: span.start });
          } else {
            // A require() the cell wrote runs where it stands, after the lines above it (which may
            // write the file, set what it reads, or empty require.cache), as in Node.
            this.hoist([name], stmt.kind !== "var");
            this.edit.insert(span.start, text, span.start);
          }
          return;
        }
        const [only] = stmt.declarations;
        if (stmt.declarations.length === 1 && only?.id.type === "Identifier" && this.aliases.has(only.id.value) && this.typeOnlyImports.has(only.id.value)) {
          // swc's `const A = N.b` of `import A = N.b`, where the checker found `N.b` a type only: tsc emits nothing.
          this.edit.remove(span.start, span.end);
          return;
        }
        for (const declarator of stmt.declarations) {
          const name = enumOrNamespaceName(declarator.init);
          if (name !== undefined && declarator.id.type === "Identifier" && declarator.id.value === name) {
            this.resets.add(name);
          }
        }
        this.variableDeclaration(stmt, span, "statement");
        return;
      }
      case "FunctionDeclaration":
        if (!stmt.declare) this.functionDeclaration(stmt, span);
        return;
      case "ClassDeclaration":
        if (!stmt.declare) this.classDeclaration(stmt.identifier.value, span);
        return;
      case "ExpressionStatement": {
        const name = enumOrNamespaceName(stmt.expression);
        if (name !== undefined) this.resets.add(name);
        this.expressionStatement(span, this.span(stmt.expression), isLast, false);
        return;
      }
      default:
        this.nested(stmt);
        this.ownScope(stmt, span);
    }
  }

  /**
   * A top-level block, loop, branch or `try` that declares `let`/`const`/`class` runs in a
   * function of its own. In the cell's async function, what such a block bound stayed in a
   * register of its suspended frame after the block had ended, so an object that only the block
   * held outlived the cell's own `await gc()` (a loop's last `const obj` was collected a cell
   * late). A function's frame is gone when it returns.
   */
  private ownScope(stmt: Swc.Statement, span: Span): void {
    const inside = scopeUse(stmt);
    if (!inside.lexical || inside.blockFunction) return;
    this.edit.insert(span.start, inside.awaits ? ";await (async () => { " : ";(() => { ");
    this.edit.insert(span.end, " })();");
  }

  /** `var`/`let`/`const` → an assignment; its names go to the hoisted `var`. */
  private variableDeclaration(decl: Swc.VariableDeclaration, span: Span, position: "statement" | "for-init"): void {
    const names: string[] = [];
    for (const declarator of decl.declarations) names.push(...bindingIdentifiers(declarator.id).map((id) => id.value));
    this.hoist(names, decl.kind !== "var" && position === "statement");
    const declarators = decl.declarations.map((d) => ({ span: this.span(d), id: this.span(d.id), init: d.init }));
    const first = declarators[0];
    if (!first) return;
    const last = declarators[declarators.length - 1]!;
    if (decl.kind === "let" && position === "statement" && decl.declarations.every((d) => !d.init)) for (const name of names) this.bareLets.add(name);
    // swc writes a decorated class as `let Invoice = class Invoice { … }`.
    for (const d of decl.declarations) {
      if (position === "statement" && d.id.type === "Identifier" && unparenthesize(d.init)?.type === "ClassExpression") this.classEnds.set(d.id.value, span.end);
    }
    const keepsValue = decl.kind === "var"; // `var x;` again keeps x, as in a script
    if (keepsValue && declarators.every((d) => !d.init)) {
      this.edit.remove(span.start, span.end);
      this.edit.insert(span.start, position === "statement" ? ";" : "void 0");
      return;
    }
    this.edit.remove(span.start, first.span.start);
    // V8 places a class expression's frame (a static block's caller) at the statement's start: the declaration's.
    this.edit.insert(first.span.start, "(", span.start);
    for (const d of declarators) {
      if (d.init) continue;
      if (keepsValue) {
        this.edit.remove(d.span.start, d.span.end);
        this.edit.insert(d.span.start, "void 0");
      } else {
        this.edit.insert(d.id.end, " = undefined"); // a re-run `let x;` resets x, as Node's REPL does
      }
    }
    this.edit.insert(last.span.end, ")");
    if (position === "statement" && span.end === last.span.end) this.edit.insert(span.end, ";");
  }

  private functionDeclaration(fn: Swc.FunctionDeclaration | (Swc.FunctionExpression & { identifier: Swc.Identifier }), span: Span): void {
    const { identifier } = fn;
    const id = this.span(identifier);
    this.hoist([identifier.value]);
    // `add = function add(…) {…}` keeps the name in `add.toString()`, but a named function
    // expression binds its name inside itself: a recursive function would keep calling itself after
    // a later cell replaced the global (`fib = memoize(fib)`). So the name stays only when the body
    // never mentions it (any identifier of that spelling, to be safe); else it is dropped, and
    // the assignment still names the function (`fib.name` is "fib").
    const keepName = !identifierIn([fn.params, fn.body], identifier.value);
    this.functions.push({ name: identifier.value, start: span.start, idStart: id.start, idEnd: keepName ? id.start : id.end, end: span.end });
    this.edit.remove(span.start, span.end);
  }

  private classDeclaration(name: string, span: Span): void {
    this.hoist([name], true);
    this.edit.insert(span.start, `${name} = `, span.start); // the class's frame (a static initializer's caller) is there
    this.edit.insert(span.end, ";");
    this.classEnds.set(name, span.end);
  }

  /**
   * A class decorator's class, under the class's name once its declaration has run. swc binds
   * what the decorators returned to a `let _Invoice` of its own and gives the cell's later uses
   * that name; `Invoice` itself stayed the undecorated class for every later cell. `own`: the
   * names swc made up.
   */
  publishDecoratedClasses(own: readonly string[]): void {
    for (const [name, end] of this.classEnds) {
      const decorated = `_${name}`;
      if (own.includes(decorated) && this.bareLets.has(decorated)) this.edit.insert(end, ` ${name} = ${decorated};`);
    }
  }

  private expressionStatement(stmt: Span, expression: Span, isLast: boolean, exportDefault: boolean): void {
    if (exportDefault) this.edit.remove(stmt.start, expression.start);
    if (isLast) {
      // `(0, …)`: an anonymous function or class as the value keeps no name (a property initialiser would name it "value").
      this.edit.insert(expression.start, "return { value: (0, ", expression.start);
      this.edit.insert(expression.end, ") }");
    } else if (exportDefault) {
      this.edit.insert(expression.start, "(");
      this.edit.insert(expression.end, ")");
    } else {
      return;
    }
    if (stmt.end === expression.end) this.edit.insert(stmt.end, ";");
  }

  private importDeclaration(decl: Swc.ImportDeclaration, span: Span): void {
    this.edit.remove(span.start, span.end);
    if (decl.typeOnly) return;
    // Names the checker found to be types only; an import of nothing but those is elided whole, as tsc does.
    const typeOnly = (specifier: Swc.ImportSpecifier | Swc.ImportDefaultSpecifier | Swc.ImportNamespaceSpecifier) =>
      (specifier.type === "ImportSpecifier" && specifier.isTypeOnly) ||
      (specifier.type !== "ImportNamespaceSpecifier" && this.typeOnlyImports.has(specifier.local.value));
    if (decl.specifiers.length > 0 && decl.specifiers.every(typeOnly)) return;
    let call = `${IMPORT_FUNCTION}(${JSON.stringify(decl.source.value)}`;
    const attributesNode = (decl as { with?: Swc.ObjectExpression | null }).with;
    if (attributesNode) {
      const attributes = this.span(attributesNode);
      call += `, { with: ${this.code.slice(attributes.start, attributes.end)} }`;
    }
    call = `await ${call})`;
    const assignments: string[] = [];
    // Through the runtime's helpers (imports.ts): a name the module does not have fails as Node's import
    // fails it; a namespace of CommonJS or JSON has the names the checker typed it with.
    const exported = (name: string) => `${IMPORTED_NAME}(${NAMESPACE_TEMP}, ${JSON.stringify(name)}, ${JSON.stringify(decl.source.value)})`;
    for (const specifier of decl.specifiers) {
      const local = specifier.local.value;
      if (typeOnly(specifier)) continue;
      this.hoist([local]);
      if (specifier.type === "ImportDefaultSpecifier") {
        assignments.push(`${local} = ${exported("default")};`);
      } else if (specifier.type === "ImportNamespaceSpecifier") {
        assignments.push(`${local} = ${IMPORTED_NAMESPACE}(${NAMESPACE_TEMP});`);
      } else {
        assignments.push(`${local} = ${exported(specifier.imported?.value ?? local)};`);
      }
    }
    const text = assignments.length === 0
      ? `${call};`
      : `{ const ${NAMESPACE_TEMP} = ${call}; ${assignments.join(" ")} }`;
    this.imports.push({ text, origin: span.start });
  }

  /** The `var`s in statements that are not declarations, which are hoisted out of blocks. */
  private nested(stmt: Swc.Statement | undefined | null): void {
    for (const { declaration, place } of nestedVars(stmt)) {
      if (place !== "for-head") {
        this.variableDeclaration(declaration, this.span(declaration), place);
        continue;
      }
      const names: string[] = [];
      for (const d of declaration.declarations) names.push(...bindingIdentifiers(d.id).map((id) => id.value));
      this.hoist(names);
      const first = declaration.declarations[0];
      if (first) this.edit.remove(this.span(declaration).start, this.span(first).start);
    }
  }

  /**
   * Each await of the cell's own code becomes `__ephemeron_resumed(token, await x)`, and each
   * `for await` body starts with that check: once the cell was interrupted, its code does not go
   * on when what it awaited settles. So do the awaits of each async function the cell defines,
   * with the token of the cell that runs when the function is entered (`await main()` in a later
   * cell). Whether the cell's own code has any (the cell then takes its token).
   */
  guardResumptions(body: Swc.ModuleItem[]): boolean {
    const functions = asyncBodies(body);
    // Entries first, outer functions first: an arrow's `{ … return (` opens before the guard of an
    // await its expression starts with, and its `); }` closes after that guard's `)`.
    for (const fn of functions) {
      const span = this.span(fn);
      const entry = `const ${TOKEN} = ${CELL_TOKEN_FUNCTION}();`;
      if (fn.stmts === undefined) {
        this.edit.insert(span.start, `{ ${entry} return (`);
        this.edit.insertFirst(span.end, "); }");
      } else {
        const directives = fn.stmts.findIndex((statement) => !isDirective(statement));
        const lastDirective = fn.stmts[(directives < 0 ? fn.stmts.length : directives) - 1];
        this.edit.insert(lastDirective ? this.span(lastDirective).end : span.start + 1, ` ${entry}`);
      }
    }
    const own = this.guardFrame(body);
    for (const fn of functions) this.guardFrame(fn.stmts ?? fn);
    return own;
  }

  /** The resumption checks of one frame's awaits and `for await` loops; whether it has any. */
  private guardFrame(frame: unknown): boolean {
    const { awaits, loops } = resumptions(frame);
    // Loops first: a loop's body may be an await of this frame (`for await (const x of xs) await x;`),
    // whose check then opens after the block the loop's check opens, and closes before it.
    for (const loop of loops) {
      const span = this.span(loop.body);
      if (loop.body.type === "BlockStatement") {
        this.edit.insert(span.start + 1, ` ${RESUMED_FUNCTION}(${TOKEN});`);
      } else {
        this.edit.insert(span.start, `{ ${RESUMED_FUNCTION}(${TOKEN}); `);
        this.edit.insertFirst(span.end, " }");
      }
    }
    for (const awaited of awaits) {
      const span = this.span(awaited);
      this.edit.insert(span.start, `${RESUMED_FUNCTION}(${TOKEN}, `);
      this.edit.insertFirst(span.end, ")");
    }
    return awaits.length + loops.length > 0;
  }

  /**
   * Writes the head: directives, then `prelude` (the cell's own locals, its token: after the
   * directives, which must come first to apply), enum/namespace resets, imports, hoisted functions.
   */
  writeHead(prelude: string): void {
    if (this.prologueStart >= 0) {
      this.edit.headSlice(this.prologueStart, this.prologueEnd);
      this.edit.headText(" ");
    }
    if (prelude !== "") this.edit.headText(prelude);
    if (this.resets.size > 0) this.edit.headText([...this.resets].map((n) => `${n} = undefined;`).join(" ") + " ");
    for (const imp of this.imports) this.edit.headText(imp.text + " ", imp.origin);
    for (const fn of this.functions) {
      this.edit.headText(`${fn.name} = `, fn.start);
      this.edit.headSlice(fn.start, fn.idStart);
      this.edit.headSlice(fn.idEnd, fn.end);
      this.edit.headText("; ");
    }
  }
}

/**
 * `import.meta` in place of which the cell reads the runtime's `__eph_meta_` (url, dirname, filename,
 * resolve of the notebook): a cell runs as a script, where `import.meta` is a syntax error.
 */
function withoutImportMeta(code: string, body: Swc.ModuleItem[], at: (pos: number) => number): string {
  if (!code.includes("import.meta")) return code;
  let text = code;
  for (const start of importMetaStarts(body, at)) if (text.startsWith("import.meta", start)) text = text.slice(0, start) + IMPORT_META + text.slice(start + IMPORT_META.length);
  return text;
}

/**
 * A cell that parses as TypeScript but whose stripped JavaScript does not: TypeScript's own output
 * puts an enum's or a namespace's body in a function, where an `await` of its initializers is no
 * longer allowed (tsc refuses it too: TS1308). At the place in the cell, in TypeScript's words.
 */
function strippedCodeError(error: unknown, js: { code: string; map: string }, source: string): CellSyntaxError {
  // parseWithOffsets parses ";" + code: the first line's columns are one further.
  const there = cellSyntaxError(error, ";" + js.code);
  const lines = lineStarts(js.code);
  const lineStart = lines[there.line - 1] ?? 0;
  const lineText = js.code.slice(lineStart, lines[there.line] ?? js.code.length);
  const offset = lineStart + codePointToUtf16(lineText, there.column - 1) - (there.line === 1 ? 1 : 0);
  const original = new OffsetMap(js.code, (JSON.parse(js.map) as { mappings: string }).mappings).lookup(Math.max(0, offset));
  const message = /await isn't allowed in non-async function/.test(there.message)
    ? "'await' expressions are only allowed within async functions and at the top levels of modules."
    : there.message;
  if (original === undefined) return new CellSyntaxError(message, 1, 1);
  const [, line, column] = original;
  const sourceLine = sourceLines(source)[line] ?? "";
  return new CellSyntaxError(message, line + 1, utf16ToCodePoint(sourceLine, column) + 1);
}

/** The names `import x = require("m")` declares in `source` (`import type` is gone from swc's output). */
function importEqualsNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?<![\w$.])import\s+(?!type\s)([\p{ID_Start}$_][\p{ID_Continue}$]*)\s*=\s*require\s*\(/gu)) names.add(match[1]!);
  return names;
}

/** The names `import x = N.b` (an alias of a namespace's member, not a require) declares in `source`. */
function aliasNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?<![\w$.])import\s+(?!type\s)([\p{ID_Start}$_][\p{ID_Continue}$]*)\s*=\s*(?!require\s*\()[\p{ID_Start}$_]/gu)) names.add(match[1]!);
  return names;
}

/** Whether `source` has `name` as a word of its own: a name the cell wrote, not one swc made up. */
function mentions(source: string, name: string): boolean {
  // A scan rather than a RegExp built for each name of each cell (compiled anew every time).
  for (let at = source.indexOf(name); at >= 0; at = source.indexOf(name, at + 1)) {
    if (!isWordCharacter(source.charCodeAt(at - 1)) && !isWordCharacter(source.charCodeAt(at + name.length))) return true;
  }
  return false;
}

/** Whether a UTF-16 code unit is one of RegExp's \w or `$` (NaN, off either end: no). */
function isWordCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

/**
 * Compiles one cell. Throws CellSyntaxError when the cell does not parse. `typeOnlyImports`: local
 * names of `import { … }` and `import x = N.b` that the checker found to be types only (swc cannot tell without types).
 */
/**
 * A TypeScript file beside the notebook as the runtime runs it: `js`, its types stripped
 * (stripTypes), with swc's output mended as a cell's is: each block of a namespace it opens more
 * than once reads the other blocks' exports through the namespace (reopened-namespaces.ts), and
 * `using`'s helper finds its SuppressedError (suppressed-error.ts); the map carried along.
 */
export function mendedModule(js: { code: string; map: string }, filename: string, source: string): { code: string; map: SourceMapV3 } {
  const swcMap = JSON.parse(js.map) as SourceMapV3;
  // Parsed only when the file could open a namespace twice, or has `using`'s helper.
  if (!/\b(?:namespace|module)\s[^]*\b(?:namespace|module)\s/.test(source) && !js.code.includes("_SuppressedError")) return { code: js.code, map: swcMap };
  const { body, at } = parseWithOffsets(js.code, "ecmascript");
  const uses = [...reopenedNamespaceUses(body, at), ...suppressedErrorUses(body, at, source)];
  if (uses.length === 0) return { code: js.code, map: swcMap };
  const edit = new Rewrite(js.code);
  for (const use of uses) edit.insert(use.at, use.text);
  const built = edit.build("", "", new OffsetMap(js.code, swcMap.mappings));
  return { code: built.text, map: buildSourceMap(built.text, built.segments, { filename, content: source }) };
}

export function transformCell(source: string, options: { filename: string; typeOnlyImports?: Iterable<string> }): TransformedCell {
  const { filename } = options;
  let js: { code: string; map: string };
  try {
    js = stripTypes(source, filename);
  } catch (error) {
    const syntax = cellSyntaxError(error, source);
    // Parsed again only when a tag could be the trouble: a syntax error costs nothing else.
    if (!/<[\p{ID_Start}>]/u.test(source) || !parsesAsTsx(source)) throw syntax;
    throw new CellSyntaxError(`${syntax.message}. The cell is written in JSX, which ephemeron does not compile: a cell is TypeScript as in a .ts file, not .tsx`, syntax.line, syntax.column);
  }
  let parsed: ReturnType<typeof parseWithOffsets>;
  try {
    parsed = parseWithOffsets(js.code, "ecmascript");
  } catch (error) {
    throw strippedCodeError(error, js, source);
  }
  const { body, at } = parsed;
  const code = withoutImportMeta(js.code, body, at);
  const rewriter = new CellRewriter(code, at, new Set(options.typeOnlyImports), importEqualsNames(source), aliasNames(source));
  rewriter.rewrite(body);
  for (const use of [...reopenedNamespaceUses(body, at), ...suppressedErrorUses(body, at, source)]) rewriter.edit.insert(use.at, use.text);
  const guarded = rewriter.guardResumptions(body);
  // Names swc made up (its helpers, a decorated class's `_initProto`) stay the cell's own: as
  // globals, a later cell's decorated class replaced an earlier class's initializers.
  const own = [...rewriter.hoisted].filter((name) => !mentions(source, name));
  rewriter.publishDecoratedClasses(own);
  const swcMap = JSON.parse(js.map) as { mappings: string };
  const offsets = new OffsetMap(code, swcMap.mappings);
  let functions: FunctionTexts | undefined;
  try {
    functions = markFunctionTexts(rewriter.edit, code, body, at, offsets, source);
  } catch {
    // Texts as the cell wrote them are a nicety: without them, toString() gives the compiled text.
    functions = undefined;
  }
  rewriter.writeHead(`${own.length > 0 ? `var ${own.join(", ")}; ` : ""}${guarded ? `const ${TOKEN} = ${CELL_TOKEN_FUNCTION}(); ` : ""}`);

  const hoisted = [...rewriter.hoisted].filter((name) => !own.includes(name));
  const vars = rewriter.varNames().filter((name) => !own.includes(name));
  // A getter or a read-only property of the global object by a name only `let`, `const` or `class`
  // declares would take (or ignore) the assignment that makes the name: the runtime removes it first.
  const lexical = hoisted.filter((name) => !vars.includes(name));
  const prefix = `${vars.length > 0 ? `var ${vars.join(", ")}; ` : ""}` +
    `${lexical.length > 0 ? `${LEXICAL_NAMES_FUNCTION}(${JSON.stringify(lexical)}); ` : ""}` +
    "(async () => { ";
  const built = rewriter.edit.build(prefix, "\n})()", offsets);
  return {
    code: built.text,
    map: buildSourceMap(built.text, built.segments, { filename, content: source }),
    declared: hoisted,
    ...(functions && { functions }),
  };
}
