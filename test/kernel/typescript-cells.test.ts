// TypeScript cells as a TypeScript programmer expects them, over the real protocol.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import { sleep } from "../../kernel/client.js";

function errorOf(reply: { content: Record<string, unknown> }) {
  return { ename: reply.content.ename, evalue: String(reply.content.evalue), traceback: (reply.content.traceback as string[] | undefined ?? []).join("\n") };
}

/** Runs `test` against a kernel of its own (for cells that change what later tests' cells would see), then stops it. */
async function withFreshKernel(test: (kernel: TestKernel) => Promise<void>): Promise<void> {
  const own = await startKernel();
  try {
    await test(own);
  } finally {
    await own.close();
  }
}

describe("TypeScript cells", () => {
  let k: TestKernel;
  let dir: string;
  /** Runs a cell that must not fail; its result as text (undefined when it has none). */
  const valueOf = async (code: string): Promise<string | undefined> => {
    const { reply, iopub } = await k.client.execute(code);
    expect(reply.content.evalue ?? "").toBe("");
    return resultText(iopub);
  };
  /** Runs a cell that must fail: its error's message. */
  const failureOf = async (code: string): Promise<string> => errorOf((await k.client.execute(code)).reply).evalue;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ephemeron-cells-"));
    // An ESM-only package (only an "import" export) and a CommonJS one, installed beside the notebook.
    const esm = join(dir, "node_modules", "esm-only");
    mkdirSync(esm, { recursive: true });
    writeFileSync(join(esm, "package.json"), JSON.stringify({ name: "esm-only", type: "module", exports: { ".": { import: "./index.js" } } }));
    writeFileSync(join(esm, "index.js"), "export default function shout(s) { return s.toUpperCase() + '!'; }\nexport const version = 3;\n");
    const cjs = join(dir, "node_modules", "cjs-pkg");
    mkdirSync(cjs, { recursive: true });
    writeFileSync(join(cjs, "package.json"), JSON.stringify({ name: "cjs-pkg", main: "main.js" }));
    writeFileSync(join(cjs, "main.js"), "module.exports = { twice: (n) => n * 2 };\n");
    // CommonJS whose exports Node cannot find by reading it (a function with properties added, as lodash is).
    const lodashLike = join(dir, "node_modules", "cjs-function");
    mkdirSync(lodashLike, { recursive: true });
    writeFileSync(join(lodashLike, "package.json"), JSON.stringify({ name: "cjs-function", main: "main.js" }));
    writeFileSync(join(lodashLike, "main.js"), "function _() {}\n_.thrice = (n) => n * 3;\nmodule.exports = _;\n");
    // The same, typed as lodash's @types are (`export =` a function merged with a namespace).
    const lodashTyped = join(dir, "node_modules", "cjs-typed");
    mkdirSync(lodashTyped, { recursive: true });
    writeFileSync(join(lodashTyped, "package.json"), JSON.stringify({ name: "cjs-typed", main: "main.js", types: "main.d.ts" }));
    writeFileSync(join(lodashTyped, "main.js"), "function _() {}\n_.thrice = (n) => n * 3;\nmodule.exports = _;\n");
    writeFileSync(join(lodashTyped, "main.d.ts"), "declare function _(): void;\ndeclare namespace _ { function thrice(n: number): number; }\nexport = _;\n");
    // A package that exports a namespace of functions and types, as zod exports `z`.
    const namespaced = join(dir, "node_modules", "schema-like");
    mkdirSync(namespaced, { recursive: true });
    writeFileSync(join(namespaced, "package.json"), JSON.stringify({ name: "schema-like", main: "index.js", types: "index.d.ts" }));
    writeFileSync(join(namespaced, "index.js"), "exports.s = { object: (shape) => ({ shape }), text: () => ({}) };\n");
    writeFileSync(
      join(namespaced, "index.d.ts"),
      "export declare namespace s {\n  interface Schema<T> { _type: T }\n  type infer<S> = S extends Schema<infer T> ? T : never;\n" +
        "  function object<T>(shape: { [K in keyof T]: Schema<T[K]> }): Schema<T>;\n  function text(): Schema<string>;\n}\n",
    );
    // A package that is one function (`export =` of a function with no namespace merged).
    const oneFunction = join(dir, "node_modules", "one-function");
    mkdirSync(oneFunction, { recursive: true });
    writeFileSync(join(oneFunction, "package.json"), JSON.stringify({ name: "one-function", main: "index.js", types: "index.d.ts" }));
    writeFileSync(join(oneFunction, "index.js"), "module.exports = function double(n) { return n * 2; };\n");
    writeFileSync(join(oneFunction, "index.d.ts"), "declare function double(n: number): number;\nexport = double;\n");
    // A typed package with an interface a notebook may augment, as lodash's LoDashStatic or express's Request are.
    const augmentable = join(dir, "node_modules", "typed-options");
    mkdirSync(augmentable, { recursive: true });
    writeFileSync(join(augmentable, "package.json"), JSON.stringify({ name: "typed-options", main: "index.js", types: "index.d.ts" }));
    writeFileSync(join(augmentable, "index.js"), "exports.make = () => ({ a: 1 });\n");
    writeFileSync(join(augmentable, "index.d.ts"), "export interface Opts { a: number }\nexport declare function make(): Opts;\n");
    // A package with subpath exports, typed, as zod/v4 or date-fns/locale are.
    const subpaths = join(dir, "node_modules", "with-subpaths");
    mkdirSync(join(subpaths, "locale"), { recursive: true });
    writeFileSync(join(subpaths, "package.json"), JSON.stringify({
      name: "with-subpaths",
      exports: { ".": { types: "./index.d.ts", default: "./index.js" }, "./extra": { types: "./extra.d.ts", default: "./extra.js" }, "./locale/*": { types: "./locale/*.d.ts", default: "./locale/*.js" } },
    }));
    for (const file of ["index", "extra", "locale/fr", "locale/de"]) {
      writeFileSync(join(subpaths, `${file}.js`), `exports.name = ${JSON.stringify(file)};\n`);
      writeFileSync(join(subpaths, `${file}.d.ts`), "export declare const name: string;\n");
    }
    // A package that reads a function's text as libraries do (dependency injection, parameter names).
    const introspect = join(dir, "node_modules", "introspect");
    mkdirSync(introspect, { recursive: true });
    writeFileSync(join(introspect, "package.json"), JSON.stringify({ name: "introspect", main: "index.js" }));
    writeFileSync(join(introspect, "index.js"), "module.exports = (fn) => Function.prototype.toString.call(fn);\n");
    // A module of the notebook's own, beside it, with its types.
    writeFileSync(join(dir, "units.mjs"), "export const toKb = (bytes) => bytes / 1024;\n");
    writeFileSync(join(dir, "units.d.mts"), "export declare const toKb: (bytes: number) => number;\n");
    writeFileSync(join(dir, "settings.json"), JSON.stringify({ title: "weakrefs", retries: 3 }));
    // TypeScript modules of the notebook's own: one imports the other as code written for tsc does (".js").
    writeFileSync(join(dir, "scale.ts"), "export const factor: number = 2;\n");
    writeFileSync(
      join(dir, "geometry.ts"),
      'import { factor } from "./scale.js";\nimport { sep } from "node:path";\n' +
        "export interface Box { w: number; h: number }\n" +
        "/** The box's area, scaled. */\nexport function area(box: Box): number { return box.w * box.h * factor; }\n" +
        'export function fail(): never {\n  throw new Error("from the module" + sep);\n}\n',
    );
    k = await startKernel({ cwd: dir });
  });
  afterAll(async () => {
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the notebook's global object says it is Node's global, as Object.prototype.toString tells", async () => {
    const { reply, iopub } = await k.client.execute("[Object.prototype.toString.call(globalThis), String(globalThis)]");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ '[object global]', '[object global]' ]");
  });

  it("a function declaration's toString reads as written: its name, and none of the runtime's instrumentation", async () => {
    const { reply, iopub } = await k.client.execute("function addUp(a: number, b: number) { return a + b }\naddUp.toString()");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'function addUp(a, b) { return a + b }'");
  });

  it("a recursive function's String() is its source as written, with its name", async () => {
    expect(await valueOf("// @ts-nocheck\nfunction fact(n) { return n < 2 ? 1 : n * fact(n - 1) }\nString(fact)")).toBe("'function fact(n) { return n < 2 ? 1 : n * fact(n - 1) }'");
    expect(await valueOf("fact(5)")).toBe("120");
  });

  it("async functions, arrows, generators, methods and classes show their source as written, without types or the interrupt checks", async () => {
    const cell = [
      "async function load(url: string) {",
      "  for await (const part of [url]) { await part }",
      "  return url",
      "}",
      "const wait = async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); return ms };",
      "const twice = async (x: number) => 2 * await x;",
      "function* count(n: number) { for (let i = 0; i < n; i++) yield i }",
      "class Store<T> {",
      "  public static async open(name: string): Promise<Store<string>> { await null; return new Store<string>() }",
      "  get size(): number { return 0 }",
      "  async *[Symbol.asyncIterator]() { yield await Promise.resolve(1) }",
      "}",
      "const methods = { async save(x: unknown) { await x } };",
      "[load, wait, twice, count, Store.open, Object.getOwnPropertyDescriptor(Store.prototype, 'size')!.get!, Store.prototype[Symbol.asyncIterator], methods.save, Store].forEach((f) => console.log(JSON.stringify(String(f))))",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(cell);
    expect(reply.content.evalue ?? "").toBe("");
    const texts = streamText(iopub, "stdout").trim().split("\n").map((line) => JSON.parse(line) as string);
    expect(texts).toEqual([
      "async function load(url) {\n  for await (const part of [url]) { await part }\n  return url\n}",
      "async (ms) => { await new Promise((r) => setTimeout(r, ms)); return ms }",
      "async (x) => 2 * await x",
      "function* count(n) { for (let i = 0; i < n; i++) yield i }",
      "async open(name) { await null; return new Store() }",
      "get size() { return 0 }",
      "async *[Symbol.asyncIterator]() { yield await Promise.resolve(1) }",
      "async save(x) { await x }",
      "class Store {\n  static async open(name) { await null; return new Store() }\n  get size() { return 0 }\n  async *[Symbol.asyncIterator]() { yield await Promise.resolve(1) }\n}",
    ]);
  });

  it("a decorated class and methods with quoted or numbered keys show their source as written, not a method's inside them", async () => {
    await valueOf("function sealed<T>(target: T, _context: ClassDecoratorContext) { return target }");
    const cell = '@sealed\nclass Ledger { total(): number { return 1 } }\nconst keyed = { "two words"() { return 2 }, 42() { return 3 } };\n[Ledger, Ledger.prototype.total, keyed["two words"], keyed[42]].forEach((f) => console.log(JSON.stringify(String(f))))';
    const { reply, iopub } = await k.client.execute(cell);
    expect(reply.content.evalue ?? "").toBe("");
    expect(streamText(iopub).trim().split("\n").map((line) => JSON.parse(line) as string)).toEqual([
      "class Ledger { total() { return 1 } }",
      "total() { return 1 }",
      '"two words"() { return 2 }',
      "42() { return 3 }",
    ]);
  });

  it("a typed function's text runs as JavaScript (a worker's eval), and TypeScript that makes code shows the JavaScript made", async () => {
    const cell = [
      'import { Worker } from "node:worker_threads";',
      "const work = <T extends number>(n: T, label?: string): number => { const twice = (n as number) * 2; return twice satisfies number };",
      "const worker = new Worker(`require('node:worker_threads').parentPort.postMessage((${work})(21))`, { eval: true });",
      "await new Promise((resolve) => worker.once(\"message\", resolve))",
    ].join("\n");
    expect(await valueOf(cell)).toBe("42");
    expect(await valueOf("String(work)")).toBe("'(n, label) => { const twice = (n) * 2; return twice }'");
    expect(await valueOf("class Account implements Iterable<number> { private readonly opened = 1; constructor(public owner: string) {} *[Symbol.iterator]() { yield this.opened } }\nString(Account).includes('this.owner = owner')")).toBe("true");
    expect(await valueOf("String(Account.prototype[Symbol.iterator])")).toBe("'*[Symbol.iterator]() { yield this.opened }'");
    // An arrow's one parameter without parentheses (swc writes them).
    expect(await valueOf("const tripler: (n: number) => number = n => n * 3;\nString(tripler)")).toBe("'n => n * 3'");
    // A package's Function.prototype.toString is Node's realm's: it reads the same text.
    expect(await valueOf('// @ts-nocheck\nconst textOf = require("introspect");\ntextOf(work)')).toBe("'(n, label) => { const twice = (n) * 2; return twice }'");
    // V8 writes a function's compiled text into some messages: the runtime's marks are not shown.
    expect(await failureOf("structuredClone((n: number) => n)")).toBe("(n)=>n could not be cloned.");
    // A cell from a client on Windows (the kernel reads its lines as `\n`).
    expect(await valueOf("const spaced = 1;\r\nfunction crlf(a: number) {\r\n  return a\r\n}\r\nString(crlf)")).toBe("'function crlf(a) {\\n  return a\\n}'");
  });

  it("a function of an earlier cell shows the source of its latest run, and Function.prototype.toString still looks native", async () => {
    await valueOf("async function fetchIt(n: number) { await null; return n }");
    await valueOf("async function fetchIt(n: number) { await null; return n + 1 }");
    expect(await valueOf("fetchIt.toString()")).toBe("'async function fetchIt(n) { await null; return n + 1 }'");
    expect(await valueOf("Function.prototype.toString.toString()")).toBe("'function toString() { [native code] }'");
    expect(await valueOf("String(Math.max)")).toBe("'function max() { [native code] }'");
    expect(await valueOf("Function.prototype.toString instanceof Function")).toBe("true");
    expect(await failureOf("Function.prototype.toString.call({})")).toBe("Function.prototype.toString requires that 'this' be a Function");
  });

  it("runs the same cell three times without a redeclaration error", async () => {
    for (let i = 0; i < 3; i++) {
      const { reply, iopub } = await k.client.execute("const counter: number = 10;\nlet label = 'run';\nclass Point { constructor(public x: number) {} }\nfunction area(p: Point) { return p.x * 2; }\narea(new Point(counter))");
      expect(reply.content.status).toBe("ok");
      expect(resultText(iopub)).toBe("20");
    }
  });

  it("a long cell run again keeps type checking on: the next cell's type error is still reported", async () => {
    // Running it again renames the first run's 20,000 uses of its function in the checker's files.
    // That copied the whole text once per use: the kernel's thread was held for 15–35 s (heartbeat
    // and interrupts unanswered), long enough for the checker to be given up on for the session.
    await withFreshKernel(async (own) => {
      const cell = "function twice(n: number) { return n * 2; }\n" + "twice(1);\n".repeat(20_000) + "twice(21)";
      for (let run = 0; run < 2; run++) {
        const { reply, iopub } = await own.client.execute(cell);
        expect(reply.content.status).toBe("ok");
        expect(resultText(iopub)).toBe("42");
      }
      const { reply } = await own.client.execute("const wrong: string = twice(1);");
      expect(reply.content.status).toBe("error");
      expect(String(reply.content.evalue)).toMatch(/TS2322/);
    });
  }, 300_000);

  it("reports a type error in a later cell about a type from an earlier cell, in the cell's own coordinates", async () => {
    await k.client.execute("interface Account { owner: string; balance: number }");
    await k.client.execute("const acct: Account = { owner: 'ada', balance: 10 };");
    await k.client.execute("1");
    await k.client.execute("2");
    const { reply } = await k.client.execute("// a comment\nconst who: number = acct.owner;");
    expect(reply.content.status).toBe("error");
    const error = errorOf(reply);
    expect(error.traceback).toContain("TS2322 (line 2, col 7)");
    expect(error.traceback).toContain("const who: number = acct.owner;");
    expect(error.traceback).toMatch(/\n\s+\^/);
  });

  it("does not run a cell with a type error", async () => {
    const { reply, iopub } = await k.client.execute('console.log("ran");\nconst n: string = 5;');
    expect(reply.content.status).toBe("error");
    expect(streamText(iopub)).toBe("");
  });

  it("lets a later cell redeclare a name with another type", async () => {
    await k.client.execute("const shape = { kind: 'circle' };");
    const { reply, iopub } = await k.client.execute("const shape = 42;\nshape + 1");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("43");
  });

  it("keeps a constant when a later cell declares a type of its name, and runs cells that use both", async () => {
    await k.client.execute("const Phase = { Start: 'start', End: 'end' } as const;");
    const typed = await k.client.execute("type Phase = (typeof Phase)[keyof typeof Phase];\nconst phase: Phase = Phase.End;\nphase");
    expect(typed.reply.content.status).toBe("ok");
    expect(resultText(typed.iopub)).toBe("'end'");
    const { reply, iopub } = await k.client.execute("function label(p: Phase) { return p.toUpperCase(); }\nlabel(Phase.Start)");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'START'");
  });

  it("runs a namespace opened twice in one cell whose second block uses the first's exports unqualified, as tsc's output does", async () => {
    // swc left `base` unqualified in the second block: the checker accepted the cell and it ended in ReferenceError.
    const cell = [
      "namespace Reopened { export const base = 3; export function twice(n: number) { return n * 2; } }",
      "namespace Reopened {",
      "  const local = 1;",
      "  export const derived = twice(base) + local;",
      "  export const described = { base, label: `base ${base}` };",
      "  export function inner() { const twice = (n: number) => n; return twice(base); }",
      "}",
      "namespace Reopened { export function own() { const base = 10; return base; } }",
      "[Reopened.derived, Reopened.described, Reopened.inner(), Reopened.own()]",
    ].join("\n");
    expect(await valueOf(cell)).toBe("[ 7, { base: 3, label: 'base 3' }, 3, 10 ]");
    // The same in a TypeScript module beside the notebook, whose error still points at its own line.
    writeFileSync(join(dir, "reopened.ts"), "export namespace Units { export const base = 3; }\nexport namespace Units {\n  export const double = base * 2;\n  export function fail(): never { throw new Error(`at ${base}`); }\n}\n");
    expect(await valueOf('import { Units } from "./reopened.ts";\nUnits.double')).toBe("6");
    const failed = errorOf((await k.client.execute("Units.fail()")).reply);
    expect(failed.evalue).toBe("at 3");
    expect(failed.traceback.replace(/\u001b\[[0-9;]*m/g, "")).toMatch(/reopened\.ts, line 4, in fail\(\)\n[^]*--> 4 +export function fail/);
  });

  it("runs an import alias of an earlier cell's namespace type, which has nothing to run, and keeps the alias of a value", async () => {
    // A namespace of types only is no value at run time: its alias, as tsc emits it, is nothing.
    await k.client.execute("namespace Kinds { export type Name = string }\nnamespace Names { export const first = 'ada' }");
    expect(await valueOf("import KindName = Kinds.Name;\nconst who: KindName = 'bob';\nwho")).toBe("'bob'");
    expect(await valueOf("import firstName = Names.first;\nfirstName")).toBe("'ada'");
  });

  it("tells an earlier declaration of a type from the newer one in a type error", async () => {
    await k.client.execute("interface Member { id: number }\nconst oldMember: Member = { id: 1 };");
    await k.client.execute("interface Member { id: number; name: string }");
    const message = await failureOf("const newMember: Member = oldMember;");
    expect(message).toContain("'Member (earlier)'");
    expect(message).toContain("'Member'");
  });

  it("lets a cell replace Node's process, Buffer or performance for itself, and the kernel keeps running cells", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => (await own.client.execute(code)).iopub;
      expect(resultText(await run("(globalThis as any).process = 5;"))).toBe("5");
      expect(resultText(await run("// @ts-nocheck\nlet Buffer = 'mine'; let performance = 3;\n[Buffer, performance, (globalThis as any).process]"))).toBe("[ 'mine', 3, 5 ]");
      const iopub = await run("console.log('still printing'); new TextEncoder().encode('é').length");
      expect(streamText(iopub)).toBe("still printing\n");
      expect(resultText(iopub)).toBe("2");
    });
  });

  it("lets later cells use a var declared in a top-level loop, branch or try, as a script does", async () => {
    expect(await valueOf("for (var loopVar = 0; loopVar < 3; loopVar++) {}\nif (true) { var branchVar = 1; }\ntry { var tryVar = 2; } catch { var catchVar = 3; }")).toBeUndefined();
    expect(await valueOf("const seen: number[] = [loopVar, branchVar, tryVar];\nseen")).toBe("[ 3, 1, 2 ]");
  });

  it("shows an anonymous function or class as its value as Node's REPL does, without a borrowed name", async () => {
    expect(await valueOf("(x: number) => x + 1")).toBe("[Function (anonymous)]");
    expect(await valueOf("(class {})")).toBe("[class (anonymous)]");
    expect(await valueOf("const named = () => 1;\nnamed")).toBe("[Function: named]");
  });

  it("runs top-level await using, disposing at the cell's end", async () => {
    const { reply, iopub } = await k.client.execute('await using res = { async [Symbol.asyncDispose]() { console.log("disposed"); } };\nconsole.log("using");');
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub)).toBe("using\ndisposed\n");
  });

  it("starts each cell's console output unindented, as a fresh cell: a group a cell left open indents only that cell", async () => {
    const grouped = await k.client.execute('console.group("outer"); console.group(); console.log("in")');
    expect(streamText(grouped.iopub)).toBe("outer\n    in\n");
    const next = await k.client.execute('console.log("next"); console.groupEnd(); console.log("still")');
    expect(streamText(next.iopub)).toBe("next\nstill\n");
    // Counts and timers are the notebook's, across cells, as in Node's REPL.
    await k.client.execute('console.count("cells"); console.time("span")');
    const later = await k.client.execute('console.count("cells"); console.timeEnd("span")');
    expect(streamText(later.iopub)).toMatch(/^cells: 2\nspan: \d+(\.\d+)?m?s\n$/);
  });

  it("writes error.stack and console.trace with the cells' own lines and labels, without the runtime's frames", async () => {
    await k.client.execute('function stackBoom() {\n\n  throw new Error("deep");\n}');
    const caught = await k.client.execute('try { stackBoom(); } catch (e) { console.log((e as Error).stack); }');
    const count = Number((caught.reply.content as { execution_count: number }).execution_count);
    const stack = streamText(caught.iopub).trim().split("\n");
    expect(stack[0]).toBe("Error: deep");
    expect(stack[1]).toMatch(/^\s+at stackBoom \(Cell In\[\d+\]:3:9\)$/);
    expect(stack[2]).toBe(`    at Cell In[${count}]:1:7`);
    expect(stack).toHaveLength(3);
    const traced = await k.client.execute('console.trace("from here")');
    expect(streamText(traced.iopub, "stderr")).toMatch(/^Trace: from here\n\s+at Cell In\[\d+\]:1:9\n$/);
  });

  it("lets a cell import or declare a name Node also has as a global (crypto, URL, performance), typed as the cell declared it", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => (await own.client.execute(code)).reply.content as { status: string; evalue?: string };
      expect(await run('import crypto from "node:crypto";\ncrypto.createHash("sha1").update("x").digest("hex").length')).toMatchObject({ status: "ok" });
      expect(await run('const URL = "https://example.com";\nconst performance = 3;\nURL.length + performance')).toMatchObject({ status: "ok" });
      expect((await run("const n: number = URL;")).evalue).toContain("TS2322");
      // Declared twice in one cell is still an error.
      expect((await run("const twice = 1;\nconst twice = 2;")).evalue).toContain("TS2451");
    });
  });

  it("lets a cell's own interface or type alias take a name the libraries declare globally (Event, Record, Response, Partial), in that cell and later ones, as in a module", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => (await own.client.execute(code)).reply.content as { status: string; evalue?: string };
      expect(await run('interface Event { name: string }\nconst ev: Event = { name: "launch" };\nev.name')).toMatchObject({ status: "ok" });
      expect(await run('const later: Event = { name: "land" };\nfunction describe(e: Event): string { return e.name; }\ndescribe(later)')).toMatchObject({ status: "ok" });
      // Without a declaration of its own, a later cell's Event is the cell's too.
      expect(await run('console.log(({ name: "x" }) satisfies Event)')).toMatchObject({ status: "ok" });
      // The library's own uses of its Event keep theirs: the value, and EventTarget's parameter.
      expect(await run('new EventTarget().dispatchEvent(new Event("x"))')).toMatchObject({ status: "ok" });
      // Errors name the type as the user wrote it.
      const wrong = (await run('const bad: Event = { title: "x" };')).evalue ?? "";
      expect(wrong).toContain("TS2353");
      expect(wrong).toContain("'Event'");
      expect(wrong).not.toContain("__ephemeron");
      expect(await run("type Record = { id: number };\nconst rec: Record = { id: 1 };\nrec.id")).toMatchObject({ status: "ok" });
      expect(await run("interface Response { code: number }\nconst res: Response = { code: 200 };\nres.code")).toMatchObject({ status: "ok" });
      expect(await run("type Partial<T> = { [K in keyof T]?: T[K] | null };\nconst part: Partial<{ a: number }> = { a: null };")).toMatchObject({ status: "ok" });
      // A later cell's declaration of the name replaces the earlier one's.
      expect(await run("interface Event { at: number }\nconst next: Event = { at: 1 };")).toMatchObject({ status: "ok" });
      expect((await run('const old: Event = { name: "x" };')).evalue).toContain("TS2353");
      // An augmentation of the library's Event is still one.
      expect(await run('declare global { interface Event { launchedAt?: number } }\nnew Event("x").launchedAt')).toMatchObject({ status: "ok" });
      // … which leaves the cell's Event the cell's.
      expect(await run("const afterAugmenting: Event = { at: 2 };")).toMatchObject({ status: "ok" });
    });
  });

  it("lets a cell's own class take a name the libraries declare globally (Record, Event, Response), as a type and a value, in that cell and later ones, as in a module", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => (await own.client.execute(code)).reply.content as { status: string; evalue?: string };
      const result = async (code: string) => {
        const { reply, iopub } = await own.client.execute(code);
        expect(reply.content.evalue ?? "").toBe("");
        return resultText(iopub);
      };
      expect(await result("class Record { id = 1 }\nconst rr: Record = new Record();\nrr.id")).toBe("1");
      // Later cells see the cell's class in both meanings, in a function too.
      expect(await result("const r2: Record = new Record();\nfunction make(): Record { return new Record(); }\n[r2.id, make().id]")).toBe("[ 1, 1 ]");
      // Errors name the class as the user wrote it.
      const wrong = (await run("const bad: Record = new Record();\nbad.nope")).evalue ?? "";
      expect(wrong).toContain("TS2339");
      expect(wrong).toContain("'Record'");
      expect(wrong).not.toContain("__ephemeron");
      // A class under a name the libraries declare as a value too: its type is the cell's alone, not merged with the library's interface.
      expect(await result('class Event { constructor(public name: string) {} }\nconst e: Event = new Event("launch");\nconst plain: Event = { name: "x" };\ne.name')).toBe("'launch'");
      expect(await result('const e3: Event = new Event("b");\n[e3.name, e3 instanceof Event]')).toBe("[ 'b', true ]");
      expect(await result("class Response { ok = 7 }\nconst res: Response = new Response();\nres.ok")).toBe("7");
    });
  });

  it("completes and inspects a cell's own type or class under a name the libraries declare globally (Event, Record, Response) as the cell declared it, named as written", async () => {
    await withFreshKernel(async (own) => {
      const complete = async (code: string) => (await own.client.request("shell", "complete_request", { code, cursor_pos: [...code].length })).reply.content as { matches: string[]; cursor_start: number };
      const inspect = async (code: string, cursor_pos: number) => ((await own.client.request("shell", "inspect_request", { code, cursor_pos, detail_level: 0 })).reply.content.data as Record<string, string>)["text/plain"] ?? "";
      expect((await own.client.execute("interface Event { name: string }\ntype Record = { id: number };\nclass Response { ok = 7 }")).reply.content).toMatchObject({ status: "ok" });
      // Unfinished code, as completion gets it: the members are the cell's Event's, not the library's (bubbles…).
      const members = await complete('const ev3: Event = { name: "b" };\nev3.');
      expect(members.matches).toEqual(["name"]);
      expect(members.cursor_start).toBe(38);
      expect((await complete("new Response().")).matches).toEqual(["ok"]);
      // The cell's own declaration of the name, in the text being completed.
      expect((await complete("interface Response { code: number }\nconst res: Response = { code: 1 };\nres.")).matches).toEqual(["code"]);
      const names = await complete("const rec: Reco");
      expect(names.matches).toContain("Record");
      expect(names.matches.join(" ")).not.toContain("__ephemeron");
      const hover = await inspect("const rec: Record = { id: 1 };", 12);
      expect(hover).toContain("Record");
      expect(hover).toContain("id: number");
      expect(hover).not.toContain("__ephemeron");
    });
  });

  it("types a name imported from a module beside the notebook under a library's global type name (Partial) as the module exports it, in that cell and later ones", async () => {
    writeFileSync(join(dir, "nullable.ts"), "export type Partial<T> = { [K in keyof T]?: T[K] | null };\n");
    expect(await valueOf('import { Partial } from "./nullable.ts";\nconst fromModule: Partial<{ a: number }> = { a: null };\nfromModule.a')).toBe("null");
    expect(await valueOf("const laterFromModule: Partial<{ b: string }> = { b: null };\nlaterFromModule.b")).toBe("null");
  });

  it("reads a cell that is one object literal in braces as the object, as Node's REPL does, and a block as a block", async () => {
    expect(await valueOf("{ a: 1 }")).toBe("{ a: 1 }");
    expect(await valueOf('{ "a": 1, "b": [2] }')).toBe("{ a: 1, b: [ 2 ] }");
    const block = await k.client.execute("{ const insideBlock = 3; console.log(insideBlock); }");
    expect(streamText(block.iopub)).toBe("3\n");
    expect(resultText(block.iopub)).toBeUndefined();
    const failure = await k.client.execute("{ a: 1, b: notDeclaredAnywhere }");
    expect(errorOf(failure.reply).evalue).toContain("TS2304 (line 1, col 12)");
  });

  it("skips type checking for a cell that starts with // @ts-nocheck", async () => {
    const { reply, iopub } = await k.client.execute("// @ts-nocheck\nconst loose: string = 5;\nloose");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("5");
  });

  it("runs a for await loop whose body is a single await statement, at the top level and in an async function", async () => {
    expect(await valueOf("const seen: number[] = [];\nfor await (const v of [1, 2]) await seen.push(v);\nseen")).toBe("[ 1, 2 ]");
    expect(await valueOf("async function drain(xs: number[]) { let n = 0; for await (const x of xs) await (n += x); return n }\nawait drain([3, 4])")).toBe("7");
  });

  it("supports top-level await, await inside a destructuring declaration, and for await", async () => {
    const { iopub } = await k.client.execute("const { a, b: [first] } = await Promise.resolve({ a: 1, b: [2, 3] });\nlet sum = 0;\nasync function* gen() { yield 1; yield 2; }\nfor await (const v of gen()) sum += v;\na + first + sum");
    expect(resultText(iopub)).toBe("6");
  });

  it("imports Node built-ins, an ESM-only package and a CommonJS package from the notebook's folder", async () => {
    const first = await k.client.execute('import fs from "fs";\nimport * as path from "node:path";\nimport { join as j } from "path";\nimport shout, { version } from "esm-only";\nimport cjs from "cjs-pkg";');
    expect(first.reply.content.evalue ?? "").toBe("");
    expect(first.reply.content.status).toBe("ok");
    const { reply, iopub } = await k.client.execute('[typeof fs.readFileSync, path.sep, j("a", "b"), shout("hi"), version, cjs.twice(4)]');
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ 'function', '/', 'a/b', 'HI!', 3, 8 ]");
  });

  it("checks and runs an import of a module beside the notebook", async () => {
    expect(await valueOf('import { toKb } from "./units.mjs";\ntoKb(2048)')).toBe("2");
    expect(await failureOf("const kb: string = toKb(1);")).toContain("TS2322 (line 1, col 7)");
  });

  it("imports a JSON file beside the notebook, typed, without an import attribute", async () => {
    expect(await valueOf('import settings from "./settings.json";\nsettings.title.toUpperCase()')).toBe("'WEAKREFS'");
    expect(await failureOf("const retries: string = settings.retries;")).toContain("TS2322");
  });

  it("runs TypeScript's decorators, and runs the decorated class's cell again", async () => {
    const cell =
      "const calls: string[] = [];\n" +
      "function traced<T extends (...args: any[]) => any>(method: T, context: ClassMethodDecoratorContext): T {\n" +
      "  return function (this: unknown, ...args: any[]) { calls.push(String(context.name)); return method.apply(this, args); } as T;\n" +
      "}\n" +
      "class Account { constructor(private balance: number) {} @traced deposit(n: number) { return (this.balance += n); } }\n" +
      "[new Account(10).deposit(5), calls]";
    for (let i = 0; i < 2; i++) {
      const { reply, iopub } = await k.client.execute(cell);
      expect(reply.content.evalue ?? "").toBe("");
      expect(resultText(iopub)).toBe("[ 15, [ 'deposit' ] ]");
    }
    const misused = await k.client.execute("class Wrong { @traced count = 1 }");
    expect(errorOf(misused.reply).evalue).toContain("TS1240");
  });

  it("keeps each decorated class's initializers its own when a later cell decorates another class, and leaves the compiler's helpers out of globalThis", async () => {
    await valueOf([
      "const inits: string[] = [];",
      "function noted(_method: unknown, context: ClassMethodDecoratorContext) {",
      "  context.addInitializer(function (this: unknown) { inits.push(`${String(context.name)} on ${(this as object).constructor.name}`); });",
      "}",
      "class First { @noted one() {} }",
    ].join("\n"));
    // swc's output keeps each class's initializers in a variable of its own (_initProto): one global for all gave First Second's.
    const initialized = await valueOf("class Second { @noted two() {} }\nnew Second();\nnew First();\n{ using _r = { [Symbol.dispose]() {} }; }\ninits");
    expect(initialized).toBe("[ 'two on Second', 'one on First' ]");
    expect(await valueOf('Object.keys(globalThis).filter((name) => name.startsWith("_"))')).toBe("[]");
  });

  it("gives later cells the class a class decorator returned, as the decorating cell has it", async () => {
    const decorated = [
      "function stamped<T extends new (...args: any[]) => object>(Base: T, _context: ClassDecoratorContext) {",
      "  return class extends Base { stamp = \"stamped\"; };",
      "}",
      "@stamped class Invoice { total = 3; }",
      "(new Invoice() as { stamp?: string }).stamp",
    ].join("\n");
    expect(await valueOf(decorated)).toBe("'stamped'");
    expect(await valueOf("(new Invoice() as { stamp?: string }).stamp")).toBe("'stamped'");
    expect(await valueOf("@stamped class Receipt {}\nconst r = new Receipt() as { stamp?: string };\n[r.stamp, r instanceof Receipt]")).toBe("[ 'stamped', true ]");
  });

  it("ends a block whose `using` fails to dispose after the block threw with a SuppressedError holding both errors, on Node 20 too, in a cell and in a module beside the notebook", async () => {
    // Before: "ReferenceError: _SuppressedError is not defined" (swc renamed its fallback for Node 20, which has no
    // SuppressedError, and not the helper's use of it).
    const cell = [
      'class FailingDispose { [Symbol.dispose]() { throw new Error("dispose failed"); } }',
      "let caughtDisposal: unknown;",
      'try { using held = new FailingDispose(); throw new Error("body failed"); } catch (e) { caughtDisposal = e; }',
      "const both = caughtDisposal as Error & { error: Error; suppressed: Error };",
      "[both.name, both.message, both.error.message, both.suppressed.message]",
    ].join("\n");
    expect(await valueOf(cell)).toBe("[\n  'SuppressedError',\n  'An error was suppressed during disposal.',\n  'dispose failed',\n  'body failed'\n]");
    writeFileSync(join(dir, "disposal.ts"), 'export function disposeTwice(): string {\n  try {\n    using held = { [Symbol.dispose]() { throw new Error("dispose failed"); } };\n    throw new Error("body failed");\n  } catch (e) {\n    return (e as Error).name;\n  }\n}\n');
    expect(await valueOf('import { disposeTwice } from "./disposal.ts";\ndisposeTwice()')).toBe("'SuppressedError'");
  });

  it("disposes a `using` declaration when its cell ends; the cell's value and other names stay", async () => {
    const env = await k.client.execute('const env = "mine";');
    expect(env.reply.content.status).toBe("ok");
    const { reply, iopub } = await k.client.execute('using handle = { [Symbol.dispose]() { console.log("closed"); } };\nconst kept = 41;\nconsole.log("open");\nkept + 1');
    expect(reply.content.evalue ?? "").toBe("");
    expect(streamText(iopub)).toBe("open\nclosed\n");
    expect(resultText(iopub)).toBe("42");
    expect(await valueOf("[kept, env]")).toBe("[ 41, 'mine' ]");
  });

  it("imports a TypeScript module beside the notebook: checked against its types, run, its lines in a traceback", async () => {
    expect(await valueOf('import { area, fail, type Box } from "./geometry.ts";\nconst box: Box = { w: 2, h: 3 };\narea(box)')).toBe("12");
    expect(await failureOf("area({ w: 1 })")).toContain("TS2741");
    const thrown = await k.client.execute("fail()");
    const error = errorOf(thrown.reply);
    expect(error.evalue).toBe("from the module/");
    const traceback = error.traceback.replace(/\u001b\[[0-9;]*m/g, "");
    expect(traceback).toContain(`File ${join(dir, "geometry.ts")}, line 7`);
    expect(traceback).toContain('throw new Error("from the module" + sep);');
    expect(traceback).toContain("Cell In[");
    const inspected = await k.client.request("shell", "inspect_request", { code: "area(box)", cursor_pos: 2, detail_level: 0 });
    const help = (inspected.reply.content.data as Record<string, string>)["text/plain"];
    expect(help).toContain("function area(box: Box): number");
    expect(help).toContain("The box's area, scaled.");
  });

  it("loads a TypeScript module again when its file changed, and reports its syntax errors with their place", async () => {
    const file = join(dir, "counter.ts");
    writeFileSync(file, "export const version = 1;\n");
    expect(await valueOf('const { version } = await import("./counter.ts");\nversion')).toBe("1");
    writeFileSync(file, "export const version = 2;\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await valueOf('const { version: again } = await import("./counter.ts");\nagain')).toBe("2");
    writeFileSync(file, "export const version = ;\n");
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    const broken = errorOf((await k.client.execute('// @ts-nocheck\nawait import("./counter.ts")')).reply);
    expect(broken.ename).toBe("SyntaxError");
    expect(broken.evalue).toContain(`${file}:1:`);
  });

  it("checks a cell against the types an edited TypeScript module has now", async () => {
    const file = join(dir, "shape.ts");
    writeFileSync(file, "export function scale(n: number): number { return n * 2; }\n");
    expect(await valueOf('import { scale } from "./shape.ts";\nscale(21)')).toBe("42");
    writeFileSync(file, "export function scale(s: string): string { return s.toUpperCase(); }\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(await valueOf('import { scale as shout } from "./shape.ts";\nshout("abc")')).toBe("'ABC'");
    expect(await failureOf('import { scale as louder } from "./shape.ts";\nlouder(1)')).toContain("TS2345");
  });

  it("reports type errors in the TypeScript files a cell imports, through a chain of imports, with their file and line, until they are fixed", async () => {
    const units = join(dir, "units.ts");
    writeFileSync(units, 'export const unit: number = "cm";\n');
    writeFileSync(join(dir, "ruler.ts"), 'import { unit } from "./units.ts";\n\nexport const label: string = unit;\nexport const length = 3;\n');
    const cell = 'import { length } from "./ruler.ts";\nlength';
    const { reply, iopub } = await k.client.execute(cell);
    const error = errorOf(reply);
    expect(error.ename).toBe("TypeScriptError");
    expect(error.evalue).toContain("2 type errors");
    const traceback = error.traceback.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    expect(traceback).toContain("TS2322 (./ruler.ts, line 3, col 14): Type 'number' is not assignable to type 'string'.");
    expect(traceback).toContain("export const label: string = unit;");
    expect(traceback).toContain("TS2322 (./units.ts, line 1, col 14): Type 'string' is not assignable to type 'number'.");
    expect(resultText(iopub)).toBeUndefined();
    // Fixed in an editor beside the notebook, the same cell is checked again, not answered from memory.
    writeFileSync(units, 'export const unit: string = "cm";\n');
    utimesSync(units, new Date(), new Date(Date.now() + 5000));
    expect(await valueOf(cell)).toBe("3");
  });

  it("refuses, as tsc does under isolatedModules, what a file-at-a-time transpiler cannot run: a declare const enum's member, a TypeScript module's re-export of a type without `type`", async () => {
    // Before, the checker accepted both and the cell ran into a ReferenceError or the module's SyntaxError.
    const ambient = errorOf((await k.client.execute("declare const enum AmbientLevel { Low = 1 }\nAmbientLevel.Low")).reply);
    expect(ambient.ename).toBe("TypeScriptError");
    expect(ambient.evalue).toContain("TS2748 (line 2, col 1)");
    writeFileSync(join(dir, "shapes.ts"), "export interface Square { side: number }\nexport const unitSide = 1;\n");
    writeFileSync(join(dir, "shapes-again.ts"), 'export { Square, unitSide } from "./shapes.ts";\n');
    const reexport = errorOf((await k.client.execute('import { unitSide } from "./shapes-again.ts";\nunitSide')).reply);
    expect(reexport.ename).toBe("TypeScriptError");
    expect(reexport.evalue).toContain("TS1205 (./shapes-again.ts, line 1, col 10)");
    // What the runtime can run stays accepted: a const enum of a cell's, in a later cell too; a namespace.
    expect(await valueOf("const enum CellLevel { Low = 1, High }\nnamespace Levels { export const top = CellLevel.High; }\nLevels.top")).toBe("2");
    expect(await valueOf("CellLevel.High")).toBe("2");
  });

  it("loads a TypeScript module again when a file it imports was edited, and keeps one whose imports are unchanged", async () => {
    const base = join(dir, "base.ts");
    writeFileSync(base, "export const base = 10;\n");
    writeFileSync(join(dir, "doubled.ts"), 'import { base } from "./base.ts";\nexport const doubled = base * 2;\nexport const loadedAt = Symbol("load");\n');
    expect(await valueOf('import { doubled, loadedAt } from "./doubled.ts";\nconst firstLoad = loadedAt;\ndoubled')).toBe("20");
    expect(await valueOf('import { loadedAt as again } from "./doubled.ts";\nagain === firstLoad')).toBe("true");
    writeFileSync(base, "export const base = 50;\n");
    utimesSync(base, new Date(), new Date(Date.now() + 5000));
    expect(await valueOf('import { doubled as redone } from "./doubled.ts";\nredone')).toBe("100");
  });

  it("gives import * as and import x = require what the checker typed: a JSON file's properties, the exports of CommonJS Node cannot find, a TypeScript module's namespace", async () => {
    expect(await valueOf('import * as settingsNs from "./settings.json";\n[settingsNs.title, settingsNs.retries]')).toBe("[ 'weakrefs', 3 ]");
    expect(await valueOf('import * as lodashLike from "cjs-typed";\nlodashLike.thrice(2)')).toBe("6");
    expect(await valueOf('import lodashRequired = require("cjs-typed");\nlodashRequired.thrice(3)')).toBe("9");
    expect(await valueOf('import geometryRequired = require("./geometry.js");\ngeometryRequired.area({ w: 2, h: 3 })')).toBe("12");
    expect(await valueOf('import pathRequired = require("node:path");\npathRequired.basename("/a/b.txt")')).toBe("'b.txt'");
    // A module whose exports Node finds keeps its namespace as Node made it.
    expect(await valueOf('import * as cjsNs from "cjs-pkg";\n[cjsNs.twice(2), typeof cjsNs.default]')).toBe("[ 4, 'object' ]");
  });

  it("imports JSON and CommonJS into a TypeScript module beside the notebook as into a cell: named, namespace and default", async () => {
    writeFileSync(
      join(dir, "config-reader.ts"),
      'import { retries } from "./settings.json";\nimport * as settings from "./settings.json";\nimport * as lodashLike from "cjs-typed";\nimport { thrice } from "cjs-typed";\n' +
        "export const read = [retries, settings.title, lodashLike.thrice(1), thrice(2)];\n",
    );
    expect(await valueOf('import { read } from "./config-reader.ts";\nread')).toBe("[ 3, 'weakrefs', 3, 6 ]");
  });

  it("imports at run time only the values of an import without `type`: a name that is only a type is left out, as tsc elides it", async () => {
    expect(await valueOf('import { SpawnOptions, spawnSync } from "node:child_process";\nconst spawnOptions: SpawnOptions = { cwd: "." };\n[typeof spawnSync, spawnOptions.cwd]')).toBe("[ 'function', '.' ]");
    expect(await valueOf('import { Box, area as boxArea } from "./geometry.js";\nconst unit: Box = { w: 1, h: 1 };\nboxArea(unit)')).toBe("2");
    // A cell that imports a type for later cells.
    expect((await k.client.execute('import { Stats as FileStats } from "node:fs";')).reply.content.status).toBe("ok");
    expect(await valueOf("const noStats: FileStats | undefined = undefined;\ntypeof noStats")).toBe("'undefined'");
    // A default export that is an interface.
    writeFileSync(join(dir, "default-interface.ts"), "export default interface Point { x: number }\nexport const origin: Point = { x: 0 };\n");
    expect(await valueOf('import Point, { origin } from "./default-interface.ts";\nconst moved: Point = { x: origin.x + 1 };\nmoved.x')).toBe("1");
  });

  it("runs a TypeScript module beside the notebook that imports an interface without `type`, as tsc's output does", async () => {
    writeFileSync(
      join(dir, "box-user.ts"),
      'import { Box, area } from "./geometry.js";\nimport { SpawnOptions } from "node:child_process";\n' +
        'const unit: Box = { w: 1, h: 1 };\nexport const options: SpawnOptions = { cwd: "." };\nexport const unitArea = area(unit);\n',
    );
    expect(await valueOf('import { unitArea, options } from "./box-user.ts";\n[unitArea, options.cwd]')).toBe("[ 2, '.' ]");
  });

  it("lets a namespace import or import = require name the module's types too (path.ParsedPath), in its cell, in later cells and after the import runs again", async () => {
    const importCell = 'import * as nodePath from "node:path";\nconst parsedHere: nodePath.ParsedPath = nodePath.parse("/a/b.txt");\nparsedHere.base';
    expect(await valueOf(importCell)).toBe("'b.txt'");
    expect(await valueOf('const parsedLater: nodePath.ParsedPath = nodePath.parse("/c/d.md");\nparsedLater.ext')).toBe("'.md'");
    expect(await valueOf(importCell)).toBe("'b.txt'");
    expect(await valueOf("let parsedAgain: nodePath.ParsedPath = parsedLater;\nparsedAgain.name")).toBe("'d'");
    expect(await valueOf('import nodeFs = require("node:fs");\nlet noStats: nodeFs.Stats | undefined;\ntypeof nodeFs.statSync')).toBe("'function'");
    expect(await failureOf("const notANumber: number = nodePath.sep;")).toContain("TS2322");
    expect(await failureOf('import * as nowhere from "no-such-package-at-all";')).toContain("Cannot find module 'no-such-package-at-all'");
  });

  it("lets a namespace import of a module beside the notebook name its types (geo.Box), and names a missing one as the cell wrote it", async () => {
    expect(await valueOf('import * as geo from "./geometry.js";\nconst square: geo.Box = { w: 2, h: 2 };\ngeo.area(square)')).toBe("8");
    expect(await valueOf('import settingsRequired = require("./settings.json");\nsettingsRequired.retries')).toBe("3");
    const missing = await failureOf('import * as absent from "./absent-module.js";');
    expect(missing).toContain("Cannot find module './absent-module.js'");
    expect(missing).not.toContain("ephemeron");
  });

  it("lets a default import name a type too: a class (generic or not), a module's namespace, in later cells and after the import runs again", async () => {
    const importCell = 'import Emitter from "node:events";\nconst emitter: Emitter = new Emitter();\nemitter.listenerCount("x")';
    expect(await valueOf(importCell)).toBe("0");
    expect(await valueOf("const another: Emitter = new Emitter();\ntypeof another.on")).toBe("'function'");
    expect(await valueOf(importCell)).toBe("0");
    expect(await valueOf('import nodeAssert from "node:assert";\nlet failure: nodeAssert.AssertionError | undefined;\ntypeof nodeAssert.strictEqual')).toBe("'function'");
    writeFileSync(join(dir, "holder.ts"), "export default class Holder<T> {\n  constructor(readonly held: T) {}\n}\n");
    expect(await valueOf('import Holder from "./holder.ts";\nconst held: Holder<string> = new Holder("x");\nheld.held')).toBe("'x'");
    expect(await failureOf("const wrongHeld: Holder<number> = new Holder(\"y\");")).toContain("TS2322");
    expect(await failureOf('import Nowhere from "./nowhere-at-all.js";')).toContain("Cannot find module './nowhere-at-all.js'");
  });

  it("imports a module as a namespace, a default or with require under a name Node has as a global (crypto, URL, module)", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => (await own.client.execute(code)).reply.content as { status: string; evalue?: string };
      expect(await run('import * as crypto from "node:crypto";\ncrypto.createHash("sha1").update("x").digest("hex").length')).toMatchObject({ status: "ok" });
      expect(await run('import URL from "node:url";\ntypeof URL.fileURLToPath')).toMatchObject({ status: "ok" });
      expect(await run('import module = require("node:module");\ntypeof module.createRequire')).toMatchObject({ status: "ok" });
    });
  });

  it("lets an import under a name Node's globals have (crypto, URL, module, Console) name the module's types as tsc does in a module file, in later cells too", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => {
        const { reply, iopub } = await own.client.execute(code);
        return { status: reply.content.status, evalue: String(reply.content.evalue ?? ""), result: resultText(iopub) };
      };
      const importCell = 'import * as crypto from "node:crypto";\nconst hashHere: crypto.Hash = crypto.createHash("sha256");\nhashHere.update("x").digest("hex").length';
      expect(await run(importCell)).toMatchObject({ status: "ok", result: "64" });
      expect(await run('const hashLater: crypto.Hash = crypto.createHash("md5");\nhashLater.digest("hex").length')).toMatchObject({ status: "ok", result: "32" });
      expect(await run(importCell)).toMatchObject({ status: "ok", result: "64" });
      // Still the module's types, not Node's global crypto (Crypto, which has no createHash).
      expect((await run('const notAHash: crypto.Hash = "x";')).evalue).toContain("TS2322");
      expect((await run("const notANumber: number = crypto.createHash;")).evalue).toContain("TS2322");
      expect(await run('import URL from "node:url";\nconst parts: URL.UrlObject = { host: "a" };\nparts.host')).toMatchObject({ status: "ok", result: "'a'" });
      expect(await run('import module = require("node:module");\nlet loaded: module.Module | undefined;\ntypeof module.createRequire')).toMatchObject({ status: "ok", result: "'function'" });
      expect(await run('import process from "node:process";\nconst home: string | undefined = process.env.HOME;\ntypeof home')).toMatchObject({ status: "ok", result: "'string'" });
      expect(await run('import * as timers from "node:timers";\nconst timer: NodeJS.Timeout = timers.setTimeout(() => {}, 1);\nclearTimeout(timer);\ntypeof timers.setImmediate')).toMatchObject({ status: "ok", result: "'function'" });
      expect(await run('import * as util from "node:util";\nconst shallow: util.InspectOptions = { depth: 0 };\nutil.inspect({ a: { b: 1 } }, shallow)')).toMatchObject({ status: "ok", result: "'{ a: [Object] }'" });
      // Console: a value of node:console's, and a type Node's globals declare, as the import leaves it in tsc.
      const consoleCell = 'import { Console } from "node:console";\nimport { PassThrough } from "node:stream";\nconst quiet: Console = new Console(new PassThrough());\ntypeof quiet.log';
      expect(await run(consoleCell)).toMatchObject({ status: "ok", result: "'function'" });
      expect(await run("const another: Console = new Console(process.stdout);\ntypeof another.table")).toMatchObject({ status: "ok", result: "'function'" });
      expect((await run("const notAConsole: Console = 1;")).evalue).toContain("TS2322");
    });
  });

  it("refuses an import beside a value of its name in the same cell, as tsc does (TS2440), and takes a type of its name beside it", async () => {
    // Before, the named and default imports were accepted and the cell's own declaration silently won.
    expect(await failureOf('import { join as joinTwice } from "node:path";\nconst joinTwice = 1;')).toMatch(/^1 type error: TS2440 \(line 1, col 10\): Import declaration conflicts with local declaration of 'joinTwice'/);
    expect(await failureOf('import EmitterTwice from "node:events";\nclass EmitterTwice {}')).toMatch(/^1 type error: TS2440 \(line 1, col 8\)/);
    expect(await valueOf('import { sep as separatorAndType } from "node:path";\ninterface separatorAndType { width: number }\nconst width: separatorAndType = { width: separatorAndType.length };\nwidth.width')).toBe("1");
  });

  it("gives a type-only import every meaning tsc gives it: a default class's instance type, typeof a value, and a value's use refused as tsc refuses it", async () => {
    // Before: Emitter was the class's constructor type (TS2740), `typeof join` was refused at the import
    // (TS2694), and nodePathTypes.join("a") passed the check to end in a ReferenceError.
    expect(await valueOf('import type Emitter from "node:events";\nconst { default: Events } = await import("node:events");\nconst typedEmitter: Emitter = new Events();\ntypeof typedEmitter.on')).toBe("'function'");
    expect(await valueOf('import type { join as joinType } from "node:path";\nconst joinLike: typeof joinType = (...parts: string[]) => parts.join("/");\njoinLike("a", "b")')).toBe("'a/b'");
    expect(await valueOf('import type * as nodePathTypes from "node:path";\nconst parsedType: nodePathTypes.ParsedPath = { root: "", dir: "", base: "b", ext: "", name: "b" };\nparsedType.base')).toBe("'b'");
    const refused = await failureOf('nodePathTypes.join("a")');
    expect(refused).toContain("TS1361 (line 1, col 1)");
    expect(refused).toContain("'nodePathTypes' cannot be used as a value because it was imported using 'import type'");
    expect(await failureOf('import { type join as joinAgain } from "node:path";\njoinAgain("a")')).toMatch(/^1 type error: TS1361 \(line 2, col 1\)/);
  });

  it("imports an interface under a name Node has as a global (Request) as the module's type only, beside a value, in later cells too", async () => {
    writeFileSync(join(dir, "web-types.ts"), "export interface Request { route: string }\nexport const port = 8080;\n");
    expect(await valueOf('import { Request, port } from "./web-types.ts";\nconst home: Request = { route: "/" };\n[home.route, port]')).toBe("[ '/', 8080 ]");
    expect(await valueOf('const about: Request = { route: "/about" };\nabout.route')).toBe("'/about'");
    expect(await failureOf("const notARequest: Request = { route: 1 };")).toContain("TS2322");
  });

  it("imports a named export under a name Node has as a global (setTimeout from timers/promises, Buffer, URL), typed as the module has it", async () => {
    await withFreshKernel(async (own) => {
      const run = async (code: string) => {
        const { reply, iopub } = await own.client.execute(code);
        return { status: reply.content.status, evalue: String(reply.content.evalue ?? ""), result: resultText(iopub) };
      };
      expect(await run('import { setTimeout } from "node:timers/promises";\nawait setTimeout(5, "done")')).toMatchObject({ status: "ok", result: "'done'" });
      expect((await run('const notANumber: number = await setTimeout(1, "text");')).evalue).toContain("TS2322");
      expect(await run('import { Buffer } from "node:buffer";\nBuffer.from("hi").length')).toMatchObject({ status: "ok", result: "2" });
      expect(await run('import { URL } from "node:url";\nnew URL("https://example.com/a").pathname')).toMatchObject({ status: "ok", result: "'/a'" });
      expect(await run('import { performance as perf } from "node:perf_hooks";\ntypeof perf.now()')).toMatchObject({ status: "ok", result: "'number'" });
      // The module's export is the global itself.
      expect(await run('import console from "node:console";\nimport * as process from "node:process";\n[typeof console.log, typeof process.cwd]')).toMatchObject({ status: "ok", result: "[ 'function', 'function' ]" });
      expect((await run('const notAString: string = Buffer.from("x").length;')).evalue).toContain("TS2322");
    });
  });

  it("lets a named import name a namespace's types (s.infer<…> as zod's z.infer, fsp.FileHandle, an enum's member), in later cells too", async () => {
    expect(await valueOf('import { s } from "schema-like";\nconst personSchema = s.object({ name: s.text() });\ntype Person = s.infer<typeof personSchema>;\nconst person: Person = { name: "Ada" };\nperson.name')).toBe("'Ada'");
    expect(await failureOf("const notAPerson: s.infer<typeof personSchema> = { name: 1 };")).toContain("TS2322");
    expect(await valueOf('import { promises as fsp } from "node:fs";\nlet handle: fsp.FileHandle | undefined;\ntypeof fsp.readFile')).toBe("'function'");
    writeFileSync(join(dir, "levels.ts"), "export enum Level { Low = 1, High = 2 }\n");
    expect(await valueOf('import { Level } from "./levels.ts";\nconst low: Level.Low = Level.Low;\nlow')).toBe("1");
    // Still: a name the module does not have is an error, and a type-only name is not imported at run time.
    expect(await failureOf('import { notThere } from "schema-like";')).toContain("notThere");
    expect(await valueOf('import { SpawnOptions as Options } from "node:child_process";\nconst options: Options = { cwd: "/" };\noptions.cwd')).toBe("'/'");
  });

  it("gives a dynamic import() of JSON or CommonJS the names the checker typed it with, as a static import has them", async () => {
    expect(await valueOf('const settingsLoaded = await import("./settings.json");\n[settingsLoaded.retries, settingsLoaded.default.title]')).toBe("[ 3, 'weakrefs' ]");
    expect(await valueOf('const { thrice: loadedThrice } = await import("cjs-typed");\nloadedThrice(3)')).toBe("9");
    writeFileSync(join(dir, "loads-json.ts"), 'export const loadedTitle = import("./settings.json").then((m) => m.title);\n');
    expect(await valueOf('import { loadedTitle } from "./loads-json.ts";\nawait loadedTitle')).toBe("'weakrefs'");
  });

  it("types a named import of a member of an `export =` value (join from node:path, a function of a package typed as lodash is)", async () => {
    expect(await failureOf('import { join as joinPaths, sep as pathSep } from "node:path";\nconst notANumber: number = joinPaths("a");')).toContain("TS2322");
    expect(await failureOf('import { sep as pathSep } from "node:path";\nconst notANumber: number = pathSep;')).toContain("TS2322");
    expect(await failureOf('import { thrice as threeTimes } from "cjs-typed";\nconst notAString: string = threeTimes(1);')).toContain("TS2322");
    expect(await valueOf('import { thrice as threeTimes } from "cjs-typed";\nthreeTimes(2)')).toBe("6");
  });

  it("imports a package that is one function with import = require or a default import; of a namespace import, as tsc with esModuleInterop, only its default", async () => {
    expect(await valueOf('import doubleRequired = require("one-function");\ndoubleRequired(2)')).toBe("4");
    expect(await valueOf('import doubleDefault from "one-function";\ndoubleDefault(3)')).toBe("6");
    expect(await valueOf('import * as doubleNamespace from "one-function";\ndoubleNamespace.default(4)')).toBe("8");
    const refused = await failureOf("doubleNamespace(5)");
    expect(refused).toContain("TS2349");
    expect(refused).not.toContain("__ephemeron");
  });

  it("runs a require() the cell wrote where it wrote it, after the lines above it, as Node does", async () => {
    const code = [
      'import { writeFileSync } from "node:fs";',
      'process.env.EPHEMERON_TEST_MODE = "set above";',
      'writeFileSync("written-above.cjs", "module.exports = process.env.EPHEMERON_TEST_MODE;");',
      'const mode = require("./written-above.cjs");',
      "mode",
    ].join("\n");
    expect(await valueOf(code)).toBe("'set above'");
    // Of an ES module and of a TypeScript module beside the notebook too, as before.
    expect(await valueOf('const esmRequired = require("esm-only");\nconst scaleRequired = require("./scale.ts");\n[esmRequired.version, scaleRequired.factor]')).toBe("[ 3, 2 ]");
  });

  it("runs a cell's own dynamic import() from the notebook's folder", async () => {
    const { reply, iopub } = await k.client.execute('const esm = await import("esm-only");\nconst { sep } = await import("node:path");\n[esm.version, sep]');
    expect(reply.content.evalue ?? "").toBe("");
    expect(resultText(iopub)).toBe("[ 3, '/' ]");
  });

  it("resolves a cell's dynamic import() from the notebook's folder after a cell changed the working directory, as its static imports are", async () => {
    const own = await startKernel({ cwd: dir });
    try {
      const run = async (code: string) => {
        const { reply, iopub } = await own.client.execute(code);
        return { evalue: String(reply.content.evalue ?? ""), result: resultText(iopub) };
      };
      expect(await run(`process.chdir(${JSON.stringify(tmpdir())});\nprocess.cwd() !== ${JSON.stringify(dir)}`)).toEqual({ evalue: "", result: "true" });
      expect(await run('import { toKb } from "./units.mjs";\ntoKb(2048)')).toEqual({ evalue: "", result: "2" });
      expect(await run('const { toKb: toKbLater } = await import("./units.mjs");\ntoKbLater(4096)')).toEqual({ evalue: "", result: "4" });
      expect(await run('const { area: areaLater } = await import("./geometry.ts");\nareaLater({ w: 1, h: 3 })')).toEqual({ evalue: "", result: "6" });
    } finally {
      await own.close();
    }
  });

  it("takes declare module \"pkg\" in a cell of its own, after the cell that imported the package, as an augmentation: the package keeps its exports", async () => {
    expect(await valueOf('import { make, type Opts } from "typed-options";\nmake().a')).toBe("1");
    expect(await valueOf('declare module "typed-options" { interface Opts { label?: string } }')).toBeUndefined();
    expect(await valueOf('const labelled: Opts = { ...make(), label: "x" };\nlabelled.label')).toBe("'x'");
    expect(await valueOf('import { make as makeAgain } from "typed-options";\nmakeAgain().a')).toBe("1");
    expect(await failureOf('const wrongLabel: Opts = { a: 1, label: 2 };')).toContain("TS2322");
    // A module nobody can find is declared by such a cell, as a script declares it, and typed so for later cells.
    expect(await valueOf('declare module "virtual-config" { export const level: number }')).toBeUndefined();
    expect(await failureOf('import { level } from "virtual-config";\nconst levelText: string = level;')).toContain("TS2322");
  });

  it("says how to install a package that is missing, whether the checker or the import finds it missing", async () => {
    for (const cell of ['import left from "left-pad-not-installed/sub";\nleft', '// @ts-nocheck\nimport left from "left-pad-not-installed/sub";']) {
      const { reply } = await k.client.execute(cell);
      expect(reply.content.status).toBe("error");
      const error = errorOf(reply);
      expect(error.evalue).toContain("Cannot find module 'left-pad-not-installed/sub'");
      expect(error.evalue).toContain("npm install left-pad-not-installed");
      expect(error.evalue).not.toContain("npm install left-pad-not-installed/sub");
    }
    // A file beside the notebook, or a package that is there: nothing to install.
    for (const missing of ["./no-such-helper.js", "esm-only/no-such-entry"]) {
      const { reply } = await k.client.execute(`import { x } from "${missing}";\nx`);
      expect(errorOf(reply).evalue).toContain(`Cannot find module '${missing}'`);
      expect(errorOf(reply).evalue).not.toContain("npm install");
    }
  });

  it("says a file a cell imports at run time is missing from the notebook's folder, naming none of the kernel's own files", async () => {
    for (const cell of ['const missingName = "./no-such-data.mjs";\nawait import(missingName)', '// @ts-nocheck\nimport gone from "./no-such-helper.js";']) {
      const error = errorOf((await k.client.execute(cell)).reply);
      expect(error.evalue).toMatch(/^Cannot find module '.*\/no-such-(?:data\.mjs|helper\.js)' imported from /);
      expect(error.evalue).toContain(`imported from ${dir}`);
      expect(error.evalue + error.traceback).not.toContain("dist/src/runtime");
    }
  });

  it("says where the syntax error is when a JavaScript module beside the notebook (or one it imports) does not parse", async () => {
    writeFileSync(join(dir, "half-written.mjs"), "export const ready = 1;\nexport function pending( {\n");
    writeFileSync(join(dir, "imports-half-written.mjs"), 'import { ready } from "./half-written.mjs";\nexport const again = ready;\n');
    writeFileSync(join(dir, "half-written.cjs"), "exports.early = 1;\nfunction pending( {\n");
    for (const [cell, file] of [
      ['// @ts-nocheck\nimport { ready } from "./half-written.mjs";', "half-written.mjs"],
      ['// @ts-nocheck\nconst { again } = await import("./imports-half-written.mjs");', "half-written.mjs"],
      ['// @ts-nocheck\nconst { early } = require("./half-written.cjs");', "half-written.cjs"],
    ] as const) {
      const error = errorOf((await k.client.execute(cell)).reply);
      expect(error).toMatchObject({ ename: "SyntaxError", evalue: "Unexpected end of input" });
      expect(error.traceback, error.traceback).toContain(`${file}:3`);
    }
    // A module that parses, and throws as it runs, keeps its own frames.
    writeFileSync(join(dir, "throws-when-run.mjs"), 'throw new RangeError("from the module");\n');
    const thrown = errorOf((await k.client.execute('// @ts-nocheck\nimport "./throws-when-run.mjs";')).reply);
    expect(thrown).toMatchObject({ ename: "RangeError", evalue: "from the module" });
    expect(thrown.traceback).toContain("throws-when-run.mjs:1");
  });

  it("points a runtime error at the cell's own line after a type-only prelude", async () => {
    const { reply } = await k.client.execute("type Id = string;\ninterface Box { id: Id }\ntype Maybe<T> = T | undefined;\nconst box: Maybe<Box> = undefined;\nconsole.log(box!.id);");
    expect(reply.content.status).toBe("error");
    const error = errorOf(reply);
    expect(error.ename).toBe("TypeError");
    expect(error.traceback).toMatch(/Cell In\[\d+\], line 5/);
    expect(error.traceback).toContain("console.log(box!.id);");
    expect(error.traceback).not.toContain("dist/src/runtime");
  });

  it("points the same failing cell, run twice, at each run's own execution count and line", async () => {
    const cell = "const depth: number = 2;\nfunction dive(n: number): number {\n  if (n === 0) throw new RangeError('bottom');\n  return dive(n - 1);\n}\ndive(depth)";
    for (let run = 0; run < 2; run++) {
      const { reply } = await k.client.execute(cell);
      const count = (reply.content as { execution_count: number }).execution_count;
      const traceback = errorOf(reply).traceback;
      expect(traceback).toContain(`Cell In[${count}], line 3`);
      expect(traceback).toContain(`Cell In[${count}], line 6`);
      expect(traceback).not.toMatch(new RegExp(`Cell In\\[(?!${count}\\])`));
    }
  });

  it("shows only lines the cell has in a traceback: an error in a top-level loop, a decorator or a dispose is not preceded by frames of the compiled cell's own code", async () => {
    const frames = async (cell: string) => {
      const error = errorOf((await k.client.execute(cell)).reply);
      return { error, lines: [...error.traceback.matchAll(/Cell In\[\d+\], line (\d+)/g)].map((m) => Number(m[1])) };
    };
    // A loop whose body declares a `const` (it runs in a function of the transform's own).
    const loop = await frames("const items = [1, 2];\nfor (const item of items) {\n  const doubled = item * 2;\n  if (item === 2) {\n    throw new Error(`bad item ${doubled}`);\n  }\n}");
    expect(loop.error.evalue).toBe("bad item 4");
    expect(loop.lines).toEqual([5]);
    const printed = async (cell: string) => {
      const { reply, iopub } = await k.client.execute(cell);
      expect(reply.content.status).toBe("ok");
      return streamText(iopub);
    };
    const stack = await printed("for (let i = 0; i < 1; i++) {\n  const t = `x\ny`;\n  console.log(new Error(t).stack);\n}");
    expect(stack).toMatch(/^ {4}at Cell In\[\d+\]:4:\d+$/m);
    expect(stack).not.toMatch(/at Cell In\[\d+\]:(?![1-5]:)\d+:/);
    // A class's frame, as Node shows it: at the declaration's start.
    const staticBlock = await printed("class WithStatic {\n  static { console.log(new Error('in static').stack); }\n}");
    expect(staticBlock).toMatch(/at <static_initializer> \(Cell In\[\d+\]:2:\d+\)\n {4}at Cell In\[\d+\]:1:1\n/);
    // swc's decorator and `using` helpers are compiled code too: no lines of theirs.
    const decorated = await frames('function bad(_t: unknown, ctx: ClassMethodDecoratorContext): void {\n  throw new Error("decorator failed");\n}\nclass Decorated {\n  @bad m() {}\n}');
    expect(decorated.error.evalue).toBe("decorator failed");
    expect(decorated.lines.every((line) => line >= 1 && line <= 6)).toBe(true);
    expect(decorated.lines.at(-1)).toBe(2);
    const disposed = await frames('class Failing { [Symbol.dispose]() { throw new Error("dispose failed"); } }\n{\n  using r = new Failing();\n}');
    expect(disposed.error.evalue).toBe("dispose failed");
    expect(disposed.lines.every((line) => line >= 1 && line <= 4)).toBe(true);
    expect(disposed.lines.at(-1)).toBe(1);
  });

  it("names a thrown error by its class when the class sets no name of its own (class ValidationError extends Error), as Node's REPL and Python do", async () => {
    const subclassed = errorOf((await k.client.execute('class ValidationError extends Error {}\nthrow new ValidationError("bad input");')).reply);
    expect(subclassed.ename).toBe("ValidationError");
    expect(subclassed.traceback.replace(/\u001b\[[0-9;]*m/g, "")).toContain("ValidationError: bad input");
    const ranged = errorOf((await k.client.execute('class OutOfRange extends RangeError {}\nthrow new OutOfRange("too far");')).reply);
    expect(ranged.ename).toBe("OutOfRange");
    // A name the class gives itself, or the error was given, wins.
    const named = errorOf((await k.client.execute('class Named extends Error { override name = "CustomName"; }\nthrow new Named("x");')).reply);
    expect(named.ename).toBe("CustomName");
    const renamed = errorOf((await k.client.execute('const renamedError = new ValidationError("y");\nrenamedError.name = "Renamed";\nthrow renamedError;')).reply);
    expect(renamed.ename).toBe("Renamed");
    expect(errorOf((await k.client.execute('throw new TypeError("plain")')).reply).ename).toBe("TypeError");
  });

  it("reports thrown non-errors and an error's cause", async () => {
    const str = await k.client.execute('throw "plain string"');
    expect(errorOf(str.reply)).toMatchObject({ ename: "Uncaught", evalue: "'plain string'" });
    const num = await k.client.execute("throw 42");
    expect(errorOf(num.reply).evalue).toBe("42");
    const nul = await k.client.execute("throw null");
    expect(errorOf(nul.reply).evalue).toBe("null");
    const caused = await k.client.execute('throw new Error("outer", { cause: new TypeError("inner") })');
    const error = errorOf(caused.reply);
    expect(error.evalue).toBe("outer");
    expect(error.traceback).toContain("caused by");
    expect(error.traceback).toContain("inner");
  });

  it("reports a thrown object as Node's REPL does, an error's own properties, an AggregateError's errors, a cycle of causes once, and deep recursion summed up", async () => {
    const plain = errorOf((await k.client.execute("throw { code: 7 }")).reply);
    expect(plain).toMatchObject({ ename: "Uncaught", evalue: "{ code: 7 }" });
    const lines = (code: string) => k.client.execute(code).then(({ reply }) => errorOf(reply).traceback.replace(/\u001b\[[0-9;]*m/g, "").split("\n"));
    const aggregate = await lines('throw new AggregateError([new Error("first"), new RangeError("second")], "both")');
    expect(aggregate).toContain("The above error holds, as error 1 of 2:");
    expect(aggregate).toContain("RangeError: second");
    const cycle = await lines('const selfCaused: any = new Error("loop"); selfCaused.cause = selfCaused; throw selfCaused');
    expect(cycle.filter((line) => line === "Error: loop")).toHaveLength(1);
    expect(cycle.at(-1)).toContain("cycle");
    const deep = await lines("function recurse(): number { return recurse() + 1; }\nrecurse()");
    // V8 keeps the newest 10 frames of thousands: the traceback says so, and counts the repeats as a floor.
    expect(deep).toContain("[Older calls not recorded: the stack keeps the newest 10 (Error.stackTraceLimit)]");
    expect(deep.some((line) => /^\[Previous frame repeated at least \d+ more times\]$/.test(line))).toBe(true);
    const withProps = await lines('const failed: any = new Error("not found"); failed.status = 404; throw failed');
    expect(withProps.slice(-2)).toEqual(["Error: not found", "{ status: 404 }"]);
    const shallow = await lines('function twice(n: number): number { if (n === 0) throw new Error("bottom"); return twice(n - 1); }\ntwice(5)');
    expect(shallow.some((line) => /^\[Previous frame repeated 2 more times\]$/.test(line))).toBe(true);
    expect(shallow.some((line) => line.startsWith("[Older calls"))).toBe(false);
  });

  it("reports an await in an enum's initializer as an error of the cell's, with and without the checker, not as the kernel's", async () => {
    const error = errorOf((await k.client.execute("enum Awaited { A = await Promise.resolve(1) }")).reply);
    expect(error.ename).not.toBe("InternalError");
    expect(error.traceback).toContain("line 1, col 20");
    const unchecked = await startKernel({ extraArgs: ["--no-typecheck"] });
    try {
      const without = errorOf((await unchecked.client.execute("enum Awaited { A = await Promise.resolve(1) }")).reply);
      expect(without.ename).toBe("SyntaxError");
      expect(without.traceback).toContain("line 1, col 20");
    } finally {
      await unchecked.close();
    }
  });

  it("types what Node 20 has of ES2024 (a regular expression's v flag, isWellFormed) and refuses what it lacks (Object.groupBy)", async () => {
    expect(await valueOf('[/[\\p{L}--[a-z]]/v.test("É"), "text".isWellFormed()]')).toBe("[ true, true ]");
    expect(await failureOf("Object.groupBy([1, 2], (n) => n % 2)")).toContain("groupBy");
  });

  it("types WebAssembly, a global of Node's, and runs a module from bytes in a Buffer", async () => {
    // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    const bytes = "0,97,115,109,1,0,0,0,1,7,1,96,2,127,127,1,127,3,2,1,0,7,7,1,3,97,100,100,0,0,10,9,1,7,0,32,0,32,1,106,11";
    const code = [
      `const wasmBytes = Buffer.from([${bytes}]);`,
      "const { instance } = await WebAssembly.instantiate(wasmBytes);",
      "const add = instance.exports.add as (a: number, b: number) => number;",
      "[add(2, 3), WebAssembly.validate(wasmBytes), WebAssembly.Module.exports(new WebAssembly.Module(wasmBytes))[0]!.kind]",
    ].join("\n");
    expect(await valueOf(code)).toBe("[ 5, true, 'function' ]");
    expect(await failureOf('WebAssembly.validate("not bytes")')).toContain("TS2345");
  });

  it("reports a syntax error with its line and column", async () => {
    const { reply } = await k.client.execute("const ok = 1;\nconst = 2;");
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("SyntaxError");
    expect(errorOf(reply).traceback).toContain("line 2");
  });

  it("says a cell written in JSX is not TypeScript a cell can hold, where swc alone reports a baffling syntax error", async () => {
    for (const cell of ["const el = <div/>;", "const item = (x: number) => <span>{x}</span>;"]) {
      const error = errorOf((await k.client.execute(cell)).reply);
      expect(error.ename).toBe("SyntaxError");
      expect(error.evalue).toContain("JSX");
      expect(error.traceback).toContain("line 1");
    }
    // A syntax error in a cell that is not JSX either says nothing of it.
    expect(errorOf((await k.client.execute("const = <number>1;")).reply).evalue).not.toContain("JSX");
  });

  it("numbers and shows the lines of a cell written with Windows line endings as the user sees them", async () => {
    const thrown = errorOf((await k.client.execute('const crlfFirst = 1;\r\nconst crlfSecond = 2;\r\nthrow new Error("from line 3");\r\n')).reply);
    const lines = thrown.traceback.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    expect(lines).toContain('--> 3 throw new Error("from line 3");');
    expect(lines).toContain("    2 const crlfSecond = 2;");
    expect(lines.some((line) => line.includes("\r"))).toBe(false);
    const syntax = errorOf((await k.client.execute("const okay = 1;\r\nconst = 2;\r")).reply);
    expect(syntax.ename).toBe("SyntaxError");
    expect(syntax.traceback).toContain("line 2");
    expect(syntax.traceback).not.toContain("\r");
  });

  it("sends a timer's output to the running cell while one runs, and to its own cell afterwards", async () => {
    const starter = await k.client.execute('let ticks = 0;\nconst timer = setInterval(() => { ticks++; console.log("tick " + ticks); if (ticks === 3) clearInterval(timer); }, 150);');
    const running = await k.client.execute("await new Promise((resolve) => setTimeout(resolve, 250));");
    expect(streamText(running.iopub)).toMatch(/tick 1/);
    await sleep(500);
    const late = k.client.unclaimed.filter((message) => message.header.msg_type === "stream" && String(message.content.text).includes("tick 3"));
    expect(late).toHaveLength(1);
    expect((late[0]!.parent_header as { msg_id: string }).msg_id).toBe((starter.reply.parent_header as { msg_id: string }).msg_id);
  });

  it("ends a cell that declares something without a result", async () => {
    const { iopub } = await k.client.execute("const nothing = 1;");
    expect(resultText(iopub)).toBeUndefined();
  });

  it("answers is_complete for open blocks, finished statements and stray brackets", async () => {
    const incomplete = await k.client.request("shell", "is_complete_request", { code: "class A {\n  m() {" });
    expect(incomplete.reply.content).toMatchObject({ status: "incomplete" });
    expect(typeof incomplete.reply.content.indent).toBe("string");
    const complete = await k.client.request("shell", "is_complete_request", { code: "const x = 1;" });
    expect(complete.reply.content.status).toBe("complete");
    const invalid = await k.client.request("shell", "is_complete_request", { code: "foo())" });
    expect(invalid.reply.content.status).toBe("invalid");
  });

  it("completes members after Math. and names from earlier cells, counting code points", async () => {
    const math = await k.client.request("shell", "complete_request", { code: "Math.fl", cursor_pos: 7 });
    expect(math.reply.content.matches).toContain("floor");
    expect(math.reply.content).toMatchObject({ cursor_start: 5, cursor_end: 7 });
    await k.client.execute("const my_list = [1, 2, 3];");
    const code = 'const s = "😀"; my_l';
    const astral = await k.client.request("shell", "complete_request", { code, cursor_pos: [...code].length });
    expect(astral.reply.content.matches).toContain("my_list");
    expect(astral.reply.content.cursor_start).toBe([...code].length - 4);
  });

  it("completes a function's parameters and locals by their kind, not the words of strings or comments, and type keywords where a type goes", async () => {
    const complete = async (code: string) => {
      const { reply } = await k.client.request("shell", "complete_request", { code, cursor_pos: [...code].length });
      const types = (reply.content.metadata as { _jupyter_types_experimental: { text: string; type: string }[] })._jupyter_types_experimental;
      return Object.fromEntries(types.map((t) => [t.text, t.type]));
    };
    expect(await complete("function twice(param1: number) { const local1 = param1 * 2; return par")).toMatchObject({ param1: "variable" });
    expect(await complete("function twice(param1: number) { const local1 = param1 * 2; return loc")).toEqual({ local1: "variable" });
    const words = await complete('const greeting = "hello wonderful world"; // with wombats\nwo');
    expect(Object.keys(words).filter((w) => ["wonderful", "world", "wombats"].includes(w))).toEqual([]);
    const annotation = await complete("const count: num");
    expect(Object.keys(annotation)[0]).toBe("number");
    expect(annotation.number).toBe("keyword");
    expect(Object.keys(await complete("const n = num"))).not.toContain("number");
    // No code in a string's or a comment's text; a template's ${…} is code.
    expect(await complete('const k = "Math.')).toEqual({});
    expect(await complete("// see Math.")).toEqual({});
    expect(await complete("const t = `${Math.fl")).toHaveProperty("floor");
  });

  it("completes inside a string what its type allows, as editors do: a union's literals, readFileSync's encodings, an object's keys, replacing the string's text typed so far", async () => {
    const complete = async (code: string) => {
      const { reply } = await k.client.request("shell", "complete_request", { code, cursor_pos: [...code].length });
      return reply.content as { matches: string[]; cursor_start: number; cursor_end: number };
    };
    await k.client.execute('interface Shipping { speed: "standard" | "express-1d" }');
    const union = await complete('const order: Shipping = { speed: "ex');
    expect(union.matches).toEqual(["express-1d"]);
    expect(union).toMatchObject({ cursor_start: 'const order: Shipping = { speed: "'.length, cursor_end: 'const order: Shipping = { speed: "ex'.length });
    expect((await complete('const all: Shipping = { speed: "')).matches).toEqual(["express-1d", "standard"]);
    const encodings = await complete('import { readFileSync } from "node:fs";\nreadFileSync("notes.txt", "utf');
    expect(encodings.matches).toEqual(expect.arrayContaining(["utf8", "utf-8"]));
    expect(encodings.matches.every((m) => m.startsWith("utf"))).toBe(true);
    expect((await complete("const keyedByWords = { alpha: 1, 'two words': 2 };\nkeyedByWords['")).matches).toEqual(["alpha", "two words"]);
    // A string whose type allows any text offers nothing.
    expect((await complete('console.log("Ma')).matches).toEqual([]);
  });

  it("completes and inspects after the dot the members of the declaration the cell itself makes again above the cursor, not the earlier cell's", async () => {
    await k.client.execute("const settings = { verbose: true, level: 1 };");
    const code = 'const settings = { theme: "dark", width: 80 };\nsettings.';
    const { reply } = await k.client.request("shell", "complete_request", { code, cursor_pos: [...code].length });
    expect(reply.content.matches).toEqual(["theme", "width"]);
    const unfinished = 'const settings = { theme: "dark", width: 80 };\nconsole.log(settings.theme, ';
    const inspected = await k.client.request("shell", "inspect_request", { code: unfinished, cursor_pos: unfinished.indexOf("settings.theme") + 3, detail_level: 0 });
    expect((inspected.reply.content.data as Record<string, string>)["text/plain"]).toContain("theme: string");
    // The value the earlier cell made is not this declaration's: no Value: beside its type, before or after a `?`.
    expect((inspected.reply.content.data as Record<string, string>)["text/plain"]).not.toContain("Value:");
    const finished = 'const settings = { theme: "dark", width: 80 };\nsettings';
    const hover = await k.client.request("shell", "inspect_request", { code: finished, cursor_pos: [...finished].length, detail_level: 0 });
    expect((hover.reply.content.data as Record<string, string>)["text/plain"]).toBe("const settings: { theme: string; width: number; }");
    // Once the cell ran, its value is the notebook's and shows.
    await k.client.execute(finished);
    const after = await k.client.request("shell", "inspect_request", { code: "settings", cursor_pos: 8, detail_level: 0 });
    expect((after.reply.content.data as Record<string, string>)["text/plain"]).toContain("Value: { theme: 'dark', width: 80 }");
  });

  it("completes a package's subpaths after its name and a slash, as it completes a file's path", async () => {
    const complete = async (code: string) => {
      const { reply } = await k.client.request("shell", "complete_request", { code, cursor_pos: [...code].length });
      return reply.content as { matches: string[]; cursor_start: number; cursor_end: number };
    };
    const all = await complete('import { name } from "with-subpaths/');
    expect(all.matches).toEqual(expect.arrayContaining(["extra"]));
    expect(all.cursor_start).toBe('import { name } from "with-subpaths/'.length);
    const some = await complete('import { name } from "with-subpaths/ex');
    expect(some.matches).toEqual(["extra"]);
    expect(some).toMatchObject({ cursor_start: 'import { name } from "with-subpaths/'.length, cursor_end: 'import { name } from "with-subpaths/ex'.length });
    // Deeper, the last segment, as in a path.
    const deeper = await complete('const fr = await import("with-subpaths/locale/f');
    expect(deeper.matches).toEqual(["fr"]);
    expect(deeper.cursor_start).toBe('const fr = await import("with-subpaths/locale/'.length);
    // The package's own name still completes whole.
    expect((await complete('import { name } from "with-sub')).matches).toEqual(["with-subpaths"]);
  });

  it("a let, const or class is not there before its declaration runs: read too early, or after a line above it threw, it is a ReferenceError", async () => {
    const early = await k.client.execute("function readsLater() { return laterValue; }\nconst tooEarly = readsLater();\nconst laterValue = 1;");
    expect(errorOf(early.reply)).toMatchObject({ ename: "ReferenceError", evalue: "laterValue is not defined" });
    await k.client.execute('const before = 1;\nif (before) throw new Error("stop");\nconst after: number = 2;');
    expect(errorOf((await k.client.execute("after")).reply)).toMatchObject({ ename: "ReferenceError", evalue: "after is not defined" });
    // A name an earlier run made keeps its value when a later run throws before it.
    await k.client.execute("const kept = 1;");
    await k.client.execute('throw new Error("stop");\nconst kept = 2;');
    expect(resultText((await k.client.execute("kept")).iopub)).toBe("1");
  });

  it("a let, const or class over a getter or a read-only property of globalThis takes the declared value, as a script's binding does, without calling a setter", async () => {
    await valueOf([
      'Object.defineProperty(globalThis, "clock", { get: () => 42, configurable: true });',
      'Object.defineProperty(globalThis, "fixed", { value: 1, writable: false, configurable: true });',
      'Object.defineProperty(globalThis, "watched", { get: () => "getter", set: (v) => console.log("setter got", v), configurable: true });',
    ].join("\n"));
    const { reply, iopub } = await k.client.execute('let clock = 5;\nconst fixed = 2;\nclass watched {}\n[clock, fixed, typeof watched]');
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ 5, 2, 'function' ]");
    expect(streamText(iopub)).toBe("");
    expect(await valueOf("[clock, fixed, typeof watched]")).toBe("[ 5, 2, 'function' ]");
  });

  it("completes the members a live value has when its type says none (any), from the runtime, without calling anything", async () => {
    await k.client.execute("let calls = 0;\nconst loose: any = { alpha: 1, nested: { gamma: 2 }, go() { calls++; } };");
    const members = await k.client.request("shell", "complete_request", { code: "loose.", cursor_pos: 6 });
    expect(members.reply.content).toMatchObject({ matches: ["alpha", "go", "nested"], cursor_start: 6, cursor_end: 6 });
    const types = (members.reply.content.metadata as { _jupyter_types_experimental: { text: string; type: string }[] })._jupyter_types_experimental;
    expect(types.find((t) => t.text === "go")?.type).toBe("method");
    const deeper = await k.client.request("shell", "complete_request", { code: "loose.nested.G", cursor_pos: 14 });
    expect(deeper.reply.content).toMatchObject({ matches: ["gamma"], cursor_start: 13, cursor_end: 14 });
    // After a call nothing is evaluated: the checker's answer (none, for any) stands.
    const called = await k.client.request("shell", "complete_request", { code: "loose.go().", cursor_pos: 11 });
    expect(called.reply.content.matches).toEqual([]);
    const { iopub } = await k.client.execute("calls");
    expect(resultText(iopub)).toBe("0");
  });

  it("takes a cursor_pos past the end of the code as its end, for the live value's members as for the checker's", async () => {
    await k.client.execute("const roomy: any = { alpha: 1 };");
    const live = await k.client.request("shell", "complete_request", { code: "roomy.al", cursor_pos: 100 });
    expect(live.reply.content).toMatchObject({ matches: ["alpha"], cursor_start: 6, cursor_end: 8 });
    const checked = await k.client.request("shell", "complete_request", { code: "Math.ma", cursor_pos: 100 });
    expect(checked.reply.content).toMatchObject({ matches: ["max"], cursor_start: 5, cursor_end: 7 });
  });

  it("inspects a name that is a constant and a type as what it means where the cursor is: the constant in a value's place, the type in a type's", async () => {
    await k.client.execute("const Light = { On: 'on', Off: 'off' } as const;");
    await k.client.execute("type Light = (typeof Light)[keyof typeof Light];");
    const help = async (code: string, cursor_pos: number) =>
      ((await k.client.request("shell", "inspect_request", { code, cursor_pos, detail_level: 0 })).reply.content.data as Record<string, string>)["text/plain"];
    expect(await help("Light.On", 2)).toMatch(/^const Light: \{/);
    expect(await help("const lit: Light = 'on'", 12)).toMatch(/^type Light = "o(n|ff)" \| "o(n|ff)"$/);
    expect(await help("let lights: typeof Light", 19)).toMatch(/^const Light: \{/);
  });

  it("inspects a class as the class after a later cell declares an interface of its name", async () => {
    await k.client.execute("class Vertex { constructor(public x: number) {} }");
    await k.client.execute("interface Vertex { label: string }");
    const { reply } = await k.client.request("shell", "inspect_request", { code: "new Vertex(1)", cursor_pos: 6, detail_level: 0 });
    expect((reply.content.data as Record<string, string>)["text/plain"]).toBe("class Vertex\nconstructor(x: number)");
  });

  it("inspects a function declared in an earlier cell with its signature and documentation", async () => {
    await k.client.execute("/** Adds two numbers. */\nfunction add(a: number, b: number): number { return a + b; }");
    const { reply } = await k.client.request("shell", "inspect_request", { code: "add(1, 2)", cursor_pos: 2, detail_level: 0 });
    expect(reply.content.found).toBe(true);
    const data = reply.content.data as Record<string, string>;
    expect(data["text/plain"]).toContain("add(a: number, b: number): number");
    expect(data["text/plain"]).toContain("Adds two numbers.");
    expect(data["text/markdown"]).toContain("```typescript");
  });

  it("takes the values Node's modules make for Error, Array, Map, Uint8Array…, and points their stacks at the cell", async () => {
    const cell = [
      'import fs from "node:fs";',
      "let thrown: unknown;",
      'try { fs.readFileSync("/no/such/file"); } catch (error) { thrown = error; }',
      '[thrown instanceof Error, fs.readdirSync(".") instanceof Array, Buffer.from("a") instanceof Uint8Array, structuredClone(new Map()) instanceof Map, [] instanceof Array]',
    ].join("\n");
    const { reply, iopub } = await k.client.execute(cell);
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ true, true, true, true, true ]");
    const count = (reply.content as { execution_count: number }).execution_count;
    expect(await valueOf("(thrown as Error).stack!.split('\\n').slice(0, 2).join(' | ')")).toBe(`"Error: ENOENT: no such file or directory, open '/no/such/file' |     at Cell In[${count}]:3:10"`);
    // Node's EventEmitter throws a cell's own Error as it is, not as "Unhandled error. (…)".
    expect(await failureOf('import { EventEmitter } from "node:events";\nnew EventEmitter().emit("error", new RangeError("emitted"));')).toBe("emitted");
    expect(await valueOf("class Mine extends Error {}\n[new Error() instanceof Mine, new Mine() instanceof Error]")).toBe("[ false, true ]");
  });

  it("compares what Node's modules make with a cell's literals in assert.deepStrictEqual and util.isDeepStrictEqual as a script does, and still tells unequal values apart", async () => {
    const imported = [
      'import assert from "node:assert";',
      'import { deepStrictEqual } from "node:assert/strict";',
      'import { isDeepStrictEqual } from "node:util";',
      'import path from "node:path";',
      'assert.deepStrictEqual(path.parse("/a/b.txt"), { root: "/", dir: "/a", base: "b.txt", ext: ".txt", name: "b" });',
      'deepStrictEqual(structuredClone({ list: [1, new Map([["k", { v: 1 }]])] }), { list: [1, new Map([["k", { v: 1 }]])] });',
      'assert.strict.deepEqual(new URL("http://h/?x=1&x=2").searchParams.getAll("x"), ["1", "2"]);',
      'assert.notDeepStrictEqual(path.parse("/a/b.txt"), { root: "/" });',
      'isDeepStrictEqual(Object.keys(path.parse("/")), ["root", "dir", "base", "ext", "name"])',
    ].join("\n");
    expect(await valueOf(imported)).toBe("true");
    expect(await valueOf('const cellAssert = require("node:assert");\ncellAssert.deepStrictEqual(require("node:fs").readdirSync("/").slice(0, 0), []);\n"equal"')).toBe("'equal'");
    expect(await failureOf('assert.deepStrictEqual(path.parse("/a/b.txt"), { root: "/", dir: "/a", base: "c.txt", ext: ".txt", name: "b" })')).toContain("strictly deep-equal");
    // The values keep their own prototypes after the comparison.
    expect(await valueOf('const mine = [1];\nassert.deepStrictEqual(mine, require("node:fs").readdirSync("/").map(() => 1).slice(0, 1));\nObject.getPrototypeOf(mine) === Array.prototype')).toBe("true");
  });

  it("refuses, as Node's import does, a name an untyped package does not export (not an undefined binding)", async () => {
    expect(await failureOf('// @ts-nocheck\nimport { version, nope } from "esm-only";')).toBe("The requested module 'esm-only' does not provide an export named 'nope'");
    expect(await failureOf('// @ts-nocheck\nimport { thrice } from "cjs-pkg";')).toBe("The requested module 'cjs-pkg' does not provide an export named 'thrice'");
    expect(await valueOf('// @ts-nocheck\nimport shout, { version as v } from "esm-only";\nshout("v" + v)')).toBe("'V3!'");
    // A name CommonJS adds to module.exports at run time is there, as esModuleInterop and bundlers give it.
    expect(await valueOf('// @ts-nocheck\nimport { thrice } from "cjs-function";\nthrice(2)')).toBe("6");
  });

  it("runs a cell whose first line is a #! line, as tsc and Node take a script's", async () => {
    expect(await valueOf("#!/usr/bin/env -S npx tsx\nconst banged: number = 1;\nbanged + 1")).toBe("2");
    expect(await failureOf("#!/usr/bin/env node\nconst wrong: string = 5;")).toContain("TS2322 (line 2, col 7)");
  });

  it("accepts TypeScript's export = and CommonJS's module.exports in a cell, as Node's REPL does", async () => {
    expect(await valueOf("const exported = { n: 5 };\nexport = exported")).toBe("{ n: 5 }");
    expect(await valueOf("module.exports = [1];\nexports.extra = 2;\n[module.exports, exports]")).toBe("[ [ 1 ], { extra: 2 } ]");
  });

  it("completes gc's members and lets a cell pass gc around: it is always defined, not Node's optional --expose-gc function", async () => {
    const { reply } = await k.client.request("shell", "complete_request", { code: "gc.re", cursor_pos: 5 });
    expect(reply.content.matches).toEqual(expect.arrayContaining(["refcount", "referrers"]));
    expect(await valueOf("const collect = gc;\nconst collected: number = await collect();\ntypeof collected")).toBe("'number'");
  });

  it("inspects an overloaded function with each of its signatures (display with and without a displayId)", async () => {
    const { reply } = await k.client.request("shell", "inspect_request", { code: "display", cursor_pos: 3, detail_level: 0 });
    const lines = (reply.content.data as Record<string, string>)["text/plain"].split("\n").filter((line) => line.startsWith("var display: "));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("var display: (value: unknown, options?: DisplayOptions | undefined) => Promise<DisplayHandle | undefined>");
  });

  it("inspects an overloaded method one signature a line, as it does an overloaded function (Shift+Tab on 'abc'.replace( and display.html( )", async () => {
    for (const [code, first, count] of [
      ["'abc'.replace(", "(method) replace(searchValue: string | RegExp, replaceValue: string): string", 4],
      ["display.html(", "(method) html(html: string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<string>>", 2],
    ] as const) {
      const { reply } = await k.client.request("shell", "inspect_request", { code, cursor_pos: [...code].length, detail_level: 0 });
      const lines = (reply.content.data as Record<string, string>)["text/plain"].split("\n").filter((line) => line.startsWith("(method) "));
      expect(lines[0], code).toBe(first);
      expect(lines, code).toHaveLength(count);
    }
  });

  it("documents the weakref module's functions and classes where a cell calls them (Shift+Tab on weakref.ref( )", async () => {
    for (const [code, words] of [["weakref.ref(", "call it to get `obj` back"], ["weakref.finalize(", "once `obj` has been collected"], ["new weakref.WeakValueDictionary(", "when their value is collected"]] as const) {
      const { reply } = await k.client.request("shell", "inspect_request", { code, cursor_pos: [...code].length, detail_level: 0 });
      expect((reply.content.data as Record<string, string>)["text/plain"]).toContain(words);
    }
  });

  it("inspects gc as ephemeron's collector, not as Node's optional --expose-gc function", async () => {
    const { reply } = await k.client.request("shell", "inspect_request", { code: "await gc()", cursor_pos: 7, detail_level: 0 });
    const text = (reply.content.data as Record<string, string>)["text/plain"];
    expect(text).toMatch(/^const gc: GCFunction\n/);
    expect(text).toContain("gc.refcount(obj)");
    expect(text).not.toContain("--expose-gc");
    expect(text).not.toContain("undefined");
  });

  it("lets a cell declare a name the runtime gives every cell (input, id), as any earlier cell's", async () => {
    const before = await k.client.request("shell", "inspect_request", { code: "input", cursor_pos: 2, detail_level: 0 });
    expect((before.reply.content.data as Record<string, string>)["text/plain"]).toContain("Promise<string>");
    expect(await valueOf('const input = "typed by hand";\ninput.toUpperCase()')).toBe("'TYPED BY HAND'");
    expect(await valueOf("function id(n: number): number { return n * 10; }\nid(4)")).toBe("40");
    expect(await failureOf("id({})")).toContain("TS2345");
  });
});
