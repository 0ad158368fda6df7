// The re-runnable cell transform, exercised the way the runtime uses it: every cell is
// transformed and then run for real in one shared vm context, cell after cell.

import { SourceMap } from "node:module";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CellSyntaxError, transformCell, type TransformedCell } from "../../src/compile/transform.js";
import { importedName, importedNamespace, requiredModule } from "../../src/runtime/imports.js";
import { CELL_TOKEN_FUNCTION, IMPORTED_NAME, IMPORTED_NAMESPACE, LEXICAL_NAMES_FUNCTION, REQUIRED_MODULE, RESUMED_FUNCTION } from "../../src/runtime/protocol.js";
import { FunctionSources, functionSourceMark } from "../../src/runtime/function-sources.js";
import { sourceKey } from "../../src/compile/function-texts.js";

/** A notebook's worth of state: one vm context, cells numbered as a kernel would. */
class Notebook {
  readonly context = vm.createContext({});
  private readonly sources = new FunctionSources();
  private count = 0;

  constructor() {
    // The runtime's host import: the main realm's import() (vm scripts cannot import on Node 20),
    // and its reading of an imported name.
    (this.context as Record<string, unknown>).__ephemeron_import = (specifier: string) => import(specifier);
    (this.context as Record<string, unknown>)[IMPORTED_NAME] = importedName;
    (this.context as Record<string, unknown>)[IMPORTED_NAMESPACE] = importedNamespace;
    (this.context as Record<string, unknown>)[REQUIRED_MODULE] = requiredModule;
    // The runtime's interrupt check after each await (main.ts): nothing here is interrupted.
    (this.context as Record<string, unknown>)[CELL_TOKEN_FUNCTION] = () => ({ interrupted: false });
    (this.context as Record<string, unknown>)[RESUMED_FUNCTION] = (_token: unknown, value?: unknown) => value;
    // Before a cell's let/const/class (context.ts): this context's globals have no getters by those names.
    (this.context as Record<string, unknown>)[LEXICAL_NAMES_FUNCTION] = () => undefined;
    // Functions' texts as the cells wrote them (evaluator.ts).
    this.sources.install(vm.runInContext("Function", this.context) as FunctionConstructor);
  }

  /** Runs a cell; resolves to what the cell's script resolved to. */
  async run(source: string): Promise<{ value: unknown } | undefined> {
    const filename = `cell${++this.count}.ts`;
    const cell = transformCell(source, { filename });
    if (cell.functions) this.sources.remember(cell.functions);
    const script = new vm.Script(cell.code, { filename });
    return (await script.runInContext(this.context)) as { value: unknown } | undefined;
  }

  /** Runs a cell that ends in an expression and gives its value. */
  async value(source: string): Promise<unknown> {
    const result = await this.run(source);
    expect(result).toBeTypeOf("object");
    return result!.value;
  }

  /** Plain JSON copy of a value from the context (objects there have that realm's prototypes). */
  async json(source: string): Promise<unknown> {
    return JSON.parse(JSON.stringify(await this.value(source)));
  }
}

describe("re-running cells", () => {
  it("a const declared again gets the new value", async () => {
    const nb = new Notebook();
    await nb.run("const x: number = 1");
    expect(await nb.value("x")).toBe(1);
    await nb.run("const x: string = 'two'");
    expect(await nb.value("x")).toBe("two");
  });

  it("a name module as the cell's last word is a value, not a module declaration cut short", async () => {
    const nb = new Notebook();
    await nb.run("const module = { id: 'mine' }");
    expect(await nb.json("module")).toEqual({ id: "mine" });
  });

  it("a cell run three times runs each time without a redeclaration error", async () => {
    const nb = new Notebook();
    await nb.run("globalThis.runs = 0");
    const cell = "const counter = { n: 1 };\nlet total = counter.n;\nclass Box { v = total }\nfunction twice(n: number) { return n * 2 }\nruns++;\nnew Box().v + twice(runs)";
    expect(await nb.value(cell)).toBe(3);
    expect(await nb.value(cell)).toBe(5);
    expect(await nb.value(cell)).toBe(7);
  });

  it("a let without an initialiser is reset when its cell runs again", async () => {
    const nb = new Notebook();
    await nb.run("let u: number | undefined; u = 5;");
    expect(await nb.value("u")).toBe(5);
    await nb.run("let u: number | undefined;");
    expect(await nb.value("u")).toBeUndefined();
  });

  it("a class defined again replaces the old one", async () => {
    const nb = new Notebook();
    await nb.run("class A { hi(): number { return 1 } }");
    expect(await nb.value("new A().hi()")).toBe(1);
    await nb.run("class A { hi(): number { return 2 } static make() { return new A() } }");
    expect(await nb.value("A.make().hi()")).toBe(2);
    expect(await nb.value("A.name")).toBe("A");
  });

  it("destructuring with nested patterns, defaults and rest declares every name", async () => {
    const nb = new Notebook();
    const cell = transformCell(
      "const { a, b: { c, d: [, e] }, f = 9, ...rest }: any = { a: 1, b: { c: 2, d: [0, 3] }, g: 4, h: 5 };\nconst [p, [q], ...more] = [6, [7], 8, 9];",
      { filename: "cell.ts" },
    );
    expect(cell.declared).toEqual(["a", "c", "e", "f", "rest", "p", "q", "more"]);
    await nb.run("const { a, b: { c, d: [, e] }, f = 9, ...rest }: any = { a: 1, b: { c: 2, d: [0, 3] }, g: 4, h: 5 };\nconst [p, [q], ...more] = [6, [7], 8, 9];");
    expect(await nb.json("[a, c, e, f, rest, p, q, more]")).toEqual([1, 2, 3, 9, { g: 4, h: 5 }, 6, 7, [8, 9]]);
  });

  it("a destructured const can take an awaited value", async () => {
    const nb = new Notebook();
    expect(await nb.run("const {a} = await Promise.resolve({a: 1})")).toBeUndefined();
    expect(await nb.value("a")).toBe(1);
  });

  it("enum and namespace start fresh when defined again", async () => {
    const nb = new Notebook();
    await nb.run("enum Color { Red, Green }\nnamespace Shapes { export const sides = 3 }");
    expect(await nb.json("[Color.Green, Color[1], Shapes.sides]")).toEqual([1, "Green", 3]);
    await nb.run("enum Color { Blue = 'b' }\nnamespace Shapes { export const corners = 4 }");
    expect(await nb.json("[Color.Blue, Color.Green ?? null, Shapes.corners, Shapes.sides ?? null]"))
      .toEqual(["b", null, 4, null]);
  });

  it("a cell can be re-run after a cell that threw, and state survives", async () => {
    const nb = new Notebook();
    await nb.run("const kept = 42");
    await expect(nb.run("const kept2 = 1; throw new Error('boom')")).rejects.toThrow("boom");
    expect(await nb.value("kept + kept2")).toBe(43);
  });
});

describe("top-level await and the cell's value", () => {
  it("for await works at the top level", async () => {
    const nb = new Notebook();
    await nb.run("async function* gen() { yield 1; yield 2; yield 3 }\nlet sum = 0;\nfor await (const n of gen()) sum += n;");
    expect(await nb.value("sum")).toBe(6);
  });

  it("the last expression is the value, also after await", async () => {
    const nb = new Notebook();
    expect(await nb.value("await Promise.resolve(41) + 1")).toBe(42);
    expect(await nb.value("const t = 1;\nawait null;\nt + 1 // a trailing comment")).toBe(2);
  });

  it("an object literal, a sequence and a commented last line give their values", async () => {
    const nb = new Notebook();
    expect(await nb.json("({ a: 1, b: [2] })")).toEqual({ a: 1, b: [2] });
    expect(await nb.value("1, 2, 3")).toBe(3);
    expect(await nb.value("'x' /* c */ + 'y'\n// last line is a comment")).toBe("xy");
    expect(await nb.value("export default 7")).toBe(7);
  });

  it("a cell ending in a declaration, a block, an if or a loop has no value", async () => {
    const nb = new Notebook();
    expect(await nb.run("1 + 1; const d = 2")).toBeUndefined();
    expect(await nb.run("3; function g() {}")).toBeUndefined();
    expect(await nb.run("4; { 5 }")).toBeUndefined();
    expect(await nb.run("if (d) { 6 }")).toBeUndefined();
    expect(await nb.run("for (let i = 0; i < 2; i++) i")).toBeUndefined();
  });

  it("an empty cell and a cell of only comments and types run and have no value", async () => {
    const nb = new Notebook();
    expect(await nb.run("")).toBeUndefined();
    expect(await nb.run("// just a note\n/* and another */")).toBeUndefined();
    expect(await nb.run("interface I { a: number }\ntype T = I | string;\ndeclare const z: T;")).toBeUndefined();
  });
});

describe("imports", () => {
  it("default, namespace and renamed imports are visible in the next cell", async () => {
    const nb = new Notebook();
    await nb.run('import fs from "fs";\nimport * as path from "node:path";\nimport { join as j, sep } from "path";');
    expect(await nb.value("typeof fs.readFileSync")).toBe("function");
    expect(await nb.value("path.basename('/a/b.txt')")).toBe("b.txt");
    expect(await nb.value("j('a', 'b') === 'a' + sep + 'b'")).toBe(true);
  });

  it("imports run before the rest of the cell and type-only imports are erased", async () => {
    const nb = new Notebook();
    const source = 'const early = typeof os2.cpus;\nimport os2, { type CpuInfo } from "node:os";\nimport type { Stats } from "fs";\nimport "node:util";\nearly';
    expect(await nb.value(source)).toBe("function");
    const cell = transformCell(source, { filename: "c.ts" });
    expect(cell.declared).toEqual(["early", "os2"]);
    expect(cell.code).not.toMatch(/Stats|CpuInfo/);
  });

  it("leaves out the names the checker found to be types only, and an import of nothing else, as tsc elides them", () => {
    const cell = transformCell('import { SpawnOptions, spawn } from "node:child_process";\nimport { Stats } from "node:fs";', { filename: "c.ts", typeOnlyImports: ["SpawnOptions", "Stats"] });
    expect(cell.declared).toEqual(["spawn"]);
    expect(cell.code).not.toMatch(/SpawnOptions|Stats|node:fs/);
    expect(cell.code).toContain('"spawn"');
  });

  it("import x = require(...) gives module.exports for a CommonJS module", async () => {
    const nb = new Notebook();
    await nb.run('import assert = require("node:assert");');
    expect(await nb.value("typeof assert.strictEqual")).toBe("function");
  });
});

describe("declarations", () => {
  it("functions are hoisted: called before they are declared", async () => {
    const nb = new Notebook();
    expect(await nb.value("const r = [f(2), await af(), [...gen()]];\nfunction f(n: number): number { return n + 1 }\nasync function af() { return 'a' }\nfunction* gen() { yield 1 }\nr"))
      .toBeTruthy();
    expect(await nb.json("r")).toEqual([3, "a", [1]]);
    expect(await nb.value("f.name")).toBe("f");
  });

  it("var in nested blocks is hoisted to a global, block-scoped let stays local", async () => {
    const nb = new Notebook();
    await nb.run("if (true) { var inIf = 1; let local = 2 }\nfor (var i = 0; i < 3; i++) { var last = i }\nfor (var key in { k: 1 }) {}\ntry { var inTry = 't' } finally {}\nswitch (1) { case 1: var inCase = 'c' }\n{ let blockLocal = 1; const c2 = 2 }");
    expect(await nb.json("[inIf, i, last, key, inTry, inCase]")).toEqual([1, 3, 2, "k", "t", "c"]);
    expect(await nb.value("typeof local + typeof blockLocal + typeof c2")).toBe("undefinedundefinedundefined");
  });

  it("var declared again without a value keeps the old value", async () => {
    const nb = new Notebook();
    await nb.run("var kv = 1");
    await nb.run("var kv");
    expect(await nb.value("kv")).toBe(1);
  });

  it("export in front of a declaration is accepted and ignored", async () => {
    const nb = new Notebook();
    await nb.run("export const q = 1;\nexport function qf() { return 2 }\nexport class QC {}\nexport { q as q2 };");
    expect(await nb.json("[q, qf(), typeof QC]")).toEqual([1, 2, "function"]);
  });

  it("type-only constructs are erased: interface, type, declare, as, generics, satisfies", async () => {
    const nb = new Notebook();
    const source = [
      "interface Point { x: number; y: number }",
      "type Pair<T> = [T, T];",
      "declare const ambient: number;",
      "declare function external(): void;",
      "function first<T>(pair: Pair<T>): T { return pair[0] }",
      "const pt = { x: 1, y: 2 } satisfies Point;",
      "const n = (pt as unknown as Point).x + first<number>([10, 20]);",
      "class Holder<T> { constructor(public item: T, private readonly extra?: string) {} }",
      "n + new Holder<string>('s').item.length",
    ].join("\n");
    expect(await nb.value(source)).toBe(12);
    const cell = transformCell(source, { filename: "t.ts" });
    expect(cell.declared).toEqual(["first", "pt", "n", "Holder"]);
    expect(cell.code).not.toMatch(/interface|satisfies|declare|Pair/);
  });

  it("a cell whose only import is `import type` still ends in its value", async () => {
    const nb = new Notebook();
    expect(await nb.value('import type { Stats } from "node:fs";\nconst sizes: Pick<Stats, "size">[] = [{ size: 3 }];\nsizes[0]!.size + 1')).toBe(4);
  });

  it("class fields keep define semantics (ES2022)", async () => {
    const nb = new Notebook();
    await nb.run("class Base { set v(x: number) { (this as any).setterRan = true } }\nclass D extends Base { v = 1 }");
    expect(await nb.json("[new D().v, (new D() as any).setterRan ?? null]")).toEqual([1, null]);
  });

  it("no strict mode is added: an undeclared assignment makes a global", async () => {
    const nb = new Notebook();
    await nb.run("undeclaredName = 5");
    expect(await nb.value("undeclaredName")).toBe(5);
    expect(await nb.value("(function (this: unknown) { return this === undefined })()")).toBe(false);
    // A cell's own directive still applies to that cell.
    expect(await nb.value('"use strict";\nimport "node:os";\n(function (this: unknown) { return this === undefined })()')).toBe(true);
    // Also in a cell that awaits: the check of its interrupt token comes after the directive, not before it.
    expect(await nb.value('"use strict";\nawait null;\n(function (this: unknown) { return this === undefined })()')).toBe(true);
  });
});

describe("syntax errors", () => {
  function syntaxError(source: string): CellSyntaxError {
    try {
      transformCell(source, { filename: "bad.ts" });
    } catch (error) {
      expect(error).toBeInstanceOf(CellSyntaxError);
      return error as CellSyntaxError;
    }
    throw new Error("no syntax error");
  }

  it("reports the cell's line and column", () => {
    const error = syntaxError("const ok = 1;\nlet y = 'é' +* 2");
    expect([error.line, error.column]).toEqual([2, 14]);
    expect(error.message).toMatch(/expected/i);
    expect(error.name).toBe("CellSyntaxError");
  });

  it("a function declaration's toString keeps its name and shows no runtime instrumentation", async () => {
    const nb = new Notebook();
    await nb.run("function add(a: number, b: number) { return a + b }");
    const text = String(await nb.value("add.toString()"));
    expect(text).toBe("function add(a, b) { return a + b }");
    expect(await nb.value("add(2, 3)")).toBe(5);
  });

  it("a function the cell's source has no place for shows its compiled text, without the marks of the functions inside it", () => {
    const sources = new FunctionSources();
    const key = sourceKey("const f = (x: number) => x");
    sources.remember({ key, texts: ["(x) => x"] });
    const inner = functionSourceMark(key, 0);
    // An enum's function, say, that holds a function of the cell: the inner mark is not its own.
    expect(sources.text(`function (E) {\n    const f = (${inner}x)=>x;\n}`)).toBe("function (E) {\n    const f = (x)=>x;\n}");
    expect(sources.text(`(${inner}x)=>x`)).toBe("(x) => x");
    // A forgotten cell's function: its compiled text.
    expect(sources.text(`(${functionSourceMark(sourceKey("gone"), 0)}x)=>x`)).toBe("(x)=>x");
  });

  it("a recursive function calls the global of its name, so a later cell can wrap it (memoize)", async () => {
    const nb = new Notebook();
    await nb.run("let calls = 0;\nfunction fib(n: number): number { calls++; return n < 2 ? n : fib(n - 1) + fib(n - 2) }");
    await nb.run("const plain = fib; const memo = new Map<number, number>();\nfib = (n: number) => { if (!memo.has(n)) memo.set(n, plain(n)); return memo.get(n)! }");
    expect(await nb.value("calls = 0; fib(20); calls")).toBe(21);
  });

  it("reports an await that type stripping moved into a function (an enum's or a namespace's initializer) at its place in the cell", () => {
    const inEnum = syntaxError("const a = 1;\nenum Level { Low = await Promise.resolve(1) }");
    expect([inEnum.line, inEnum.column]).toEqual([2, 20]);
    expect(inEnum.message).toContain("'await'");
    const inNamespace = syntaxError('namespace Config {\n  export const port = await Promise.resolve(80);\n}');
    expect([inNamespace.line, inNamespace.column]).toEqual([2, 23]);
  });

  it("counts a tab as one column", () => {
    const error = syntaxError("\tfoo(\t))");
    expect([error.line, error.column]).toEqual([1, 2]);
  });

  it("reports a top-level return and a missing brace at the end", () => {
    expect(syntaxError("1\nreturn 2").line).toBe(2);
    expect(syntaxError("const x = {\n  a: 1,\n").line).toBeGreaterThanOrEqual(2);
  });

  it("counts columns in code points, as the type errors do: an emoji is one, a combining accent one", () => {
    expect(syntaxError('const e = "😀😀"; const x = ;').column).toBe(27);
    expect(syntaxError('const s = "e\u0301"; const x = ;').column).toBe(27);
  });

  it("puts an unexpected end of input at the end of the cell, in Node's words", () => {
    const unclosed = syntaxError("class C {\n  m() { return 1 }");
    expect([unclosed.message, unclosed.line, unclosed.column]).toEqual(["Unexpected end of input", 2, 19]);
    const call = syntaxError("foo(1,\n  2");
    expect([call.line, call.column]).toEqual([2, 4]);
  });
});

describe("source maps", () => {
  /** Where `error` was thrown in the cell, found through the cell's map. */
  function originalPosition(error: Error, cell: TransformedCell, filename: string): { line: number; column: number } {
    const frame = new RegExp(`${filename.replace(".", "\\.")}:(\\d+):(\\d+)`).exec(error.stack ?? "");
    expect(frame, error.stack).not.toBeNull();
    const entry = new SourceMap(cell.map as never).findEntry(Number(frame![1]) - 1, Number(frame![2]) - 1) as {
      originalLine?: number;
      originalColumn?: number;
    };
    return { line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
  }

  async function thrownBy(source: string, filename: string): Promise<{ error: Error; cell: TransformedCell }> {
    const cell = transformCell(source, { filename });
    const context = vm.createContext({ [LEXICAL_NAMES_FUNCTION]: () => undefined });
    try {
      await new vm.Script(cell.code, { filename }).runInContext(context);
    } catch (error) {
      return { error: error as Error, cell };
    }
    throw new Error("the cell did not throw");
  }

  it("a throw on line 5 after a 3-line type-only prelude maps back to line 5 and its column", async () => {
    const source = [
      "interface Shape { kind: string }",
      "type Shapes = Shape[];",
      "declare const registry: Shapes;",
      "const s: Shape = { kind: 'circle' };",
      "if (s.kind as string) { const label: string = s.kind; throw new Error(label) }",
    ].join("\n");
    const { error, cell } = await thrownBy(source, "map1.ts");
    expect(error.message).toBe("circle");
    expect(cell.map.sources).toEqual(["map1.ts"]);
    expect(cell.map.sourcesContent).toEqual([source]);
    expect(originalPosition(error, cell, "map1.ts")).toEqual({ line: 5, column: source.split("\n")[4]!.indexOf("new Error") + 1 });
  });

  it("a call on a later line through a hoisted function maps both frames", async () => {
    const source = [
      "import { sep } from 'node:path';",
      "type Id = number;",
      "const id: Id = 3;",
      "function fail(n: Id): never {",
      "  throw new RangeError(`bad ${n}`);",
      "}",
      "const before = 'é∂';   fail(id);",
    ].join("\n");
    const cell = transformCell(source, { filename: "map2.ts" });
    const context = vm.createContext({ __ephemeron_import: (s: string) => import(s), [IMPORTED_NAME]: importedName, [IMPORTED_NAMESPACE]: importedNamespace, [REQUIRED_MODULE]: requiredModule, [CELL_TOKEN_FUNCTION]: () => ({}), [RESUMED_FUNCTION]: (_token: unknown, value?: unknown) => value, [LEXICAL_NAMES_FUNCTION]: () => undefined });
    const error = await Promise.resolve(new vm.Script(cell.code, { filename: "map2.ts" }).runInContext(context))
      .then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe("bad 3");
    const frames = [...error!.stack!.matchAll(/map2\.ts:(\d+):(\d+)/g)].map((m) => {
      const entry = new SourceMap(cell.map as never).findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as {
        originalLine: number;
        originalColumn: number;
      };
      return [entry.originalLine + 1, entry.originalColumn + 1];
    });
    expect(frames.slice(0, 2)).toEqual([
      [5, 9],
      [7, source.split("\n")[6]!.indexOf("fail(") + 1],
    ]);
  });

  it("the hoisted names and the wrapper start share the first line", () => {
    const cell = transformCell("var a = 1;\nfunction b() {}\nconst c = 3;", { filename: "c.ts" });
    expect(cell.code.split("\n")[0]).toMatch(/^var a, b; __ephemeron_lexical\(\["c"\]\); \(async \(\) => \{/);
    expect(cell.code).not.toContain("use strict");
  });
});
