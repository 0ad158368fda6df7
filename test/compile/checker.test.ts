// The checker as the kernel uses it: cells checked against the cells run
// before them, completion and inspection with those cells as context.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellFiles } from "../../src/compile/cell-files.js";
import { CellChecker, formatDiagnostics, type CellDiagnostic } from "../../src/compile/checker.js";

const globalsDts = fileURLToPath(new URL("./fixtures/globals.d.ts", import.meta.url));
const cwd = fileURLToPath(new URL("../..", import.meta.url));

/** Checks a cell, then accepts it, as the kernel does when a cell runs. */
async function run(checker: CellChecker, source: string): Promise<CellDiagnostic[]> {
  const diagnostics = await checker.check(source);
  await checker.accept(source);
  return diagnostics;
}

function codes(diagnostics: CellDiagnostic[]): number[] {
  return diagnostics.map((d) => d.code);
}

describe("CellChecker", () => {
  let checker: CellChecker;
  beforeAll(async () => {
    checker = new CellChecker({ cwd, globalsDts: [globalsDts] });
    await checker.ready();
  });
  afterAll(async () => {
    await checker.dispose();
  });

  it("reports a type error in cell 5 about a type from cell 2 at the cell's own line and column", async () => {
    expect(await run(checker, "const greeting = 'hi';")).toEqual([]);
    expect(await run(checker, "interface Point {\n  x: number;\n  y: number;\n}")).toEqual([]);
    expect(await run(checker, "const origin: Point = { x: 0, y: 0 };")).toEqual([]);
    expect(await run(checker, "origin.x + 1")).toEqual([]);
    const diagnostics = await checker.check("// a comment\nconst label: string = 'p';\nconst bad: string = origin.x;");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 2322, line: 3, column: 7, sourceLine: "const bad: string = origin.x;" });
    expect(diagnostics[0].message).toContain("Type 'number' is not assignable to type 'string'");
    const missing = await checker.check("const p: Point = { x: 1 };");
    expect(codes(missing)).toEqual([2741]);
    expect(missing[0].message).toContain("'y'");
  });

  it("accepts the same cell three times without redeclaration errors", async () => {
    const cell = "const counter = 1;\nlet total = 2;\nfunction bump(n: number) { return n + 1 }\nclass Box { v = 1 }\nenum Color { Red }\ninterface Shape { k: string }\ntype Id = string;\nnamespace NS { export const a = 1 }";
    for (let i = 0; i < 3; i++) expect(await run(checker, cell)).toEqual([]);
    expect(await checker.check("const c: number = counter + total + bump(1) + new Box().v + Color.Red + NS.a;\nconst s: Shape = { k: 'x' };\nconst i: Id = 'a';")).toEqual([]);
  });

  it("lets a different cell redeclare a const with another type, and later cells see the new type", async () => {
    expect(await run(checker, "const x = 1;")).toEqual([]);
    expect(await run(checker, "const x = 'now a string';")).toEqual([]);
    expect(await checker.check("const s: string = x;")).toEqual([]);
    expect(codes(await checker.check("const n: number = x;"))).toEqual([2322]);
    // A cell being checked that redeclares a name does not conflict with the accepted one either.
    expect(await checker.check("const x = true;\nconst b: boolean = x;")).toEqual([]);
  });

  it("keeps the types earlier cells' values were made with when a later cell declares a type, function or class again", async () => {
    expect(await run(checker, "type Ident = number;\nfunction nextIdent(): Ident { return 1; }")).toEqual([]);
    expect(await run(checker, "const firstIdent: Ident = nextIdent();\nconst earlierBox = { firstIdent };")).toEqual([]);
    expect(await run(checker, "interface Item { size: number }\nconst item: Item = { size: 1 };\nclass Crate { held = 1 }\nconst crate = new Crate();")).toEqual([]);
    expect(await run(checker, "type Ident = string;\ninterface Item { label: string }\nclass Crate { other = 'x' }")).toEqual([]);
    // The values made before keep their types…
    expect(await checker.check("const n: number = nextIdent() + firstIdent + earlierBox.firstIdent + item.size + crate.held;")).toEqual([]);
    expect(codes(await checker.check("nextIdent().toUpperCase();"))).toEqual([2339]);
    // …and what is declared now has the new ones.
    expect(await checker.check("const s: Ident = 'a';\nconst i: Item = { label: 'b' };\nconst o: string = new Crate().other;")).toEqual([]);
  });

  it("keeps what a destructuring declaration took from an object when a later cell declares one of its names again", async () => {
    expect(await run(checker, "const pair = { left: 1, right: 'r' };\nconst { left, right = 'd' } = pair;\nconst [head = left] = [left];")).toEqual([]);
    expect(await run(checker, "const left = 'new';\nconst right = 2;")).toEqual([]);
    // At run time head is still 1: the property `left` the earlier cell took.
    expect(codes(await checker.check("const h: string = head;"))).toEqual([2322]);
    expect(await checker.check("const h: number = head;")).toEqual([]);
  });

  it("lets a class's methods make instances of their own class after a later cell declares the class again, as the class's inner binding does at run time", async () => {
    expect(await run(checker, "class Version { tag = 'old'; static make() { return new Version(); } clone() { return new Version(); } }\nconst OldVersion = Version;\nconst oldOne = new Version();")).toEqual([]);
    expect(await run(checker, "class Version { label = 'new' }")).toEqual([]);
    expect(await checker.check("const a: string = oldOne.clone().tag + OldVersion.make().tag;\nconst b: string = new Version().label;")).toEqual([]);
    expect(codes(await checker.check("OldVersion.make().label;"))).toEqual([2339]);
    expect(await run(checker, "namespace Registry { export const size = 1; export function read() { return Registry.size; } }\nconst readOld = Registry.read;")).toEqual([]);
    expect(await run(checker, "namespace Registry { export const size = 'one'; }")).toEqual([]);
    expect(await checker.check("const n: number = readOld();")).toEqual([]);
  });

  it("keeps the types of values a callback made while its cell ran (map, an immediately called function) when a later cell declares the callee again", async () => {
    expect(await run(checker, "function parseEntry(s: string) { return Number(s); }")).toEqual([]);
    expect(await run(checker, "const parsedEntries = ['1', '2'].map((s) => parseEntry(s));\nconst firstParsed = (() => parseEntry('3'))();\nconst parsedLater = () => parseEntry('4');")).toEqual([]);
    expect(await run(checker, "function parseEntry(s: string) { return s.trim(); }")).toEqual([]);
    // The values are numbers at run time; a function called later calls the newest parseEntry.
    expect(await checker.check("const n: number = parsedEntries[0]! + firstParsed;\nconst s: string = parsedLater();")).toEqual([]);
    // A callback's parameter is its own, in functions inside it too, whatever top-level name it shares.
    expect(await run(checker, "const caption = 5;")).toEqual([]);
    expect(await run(checker, "const captionMakers = ['x'].map((caption) => () => caption);")).toEqual([]);
    expect(await run(checker, "const caption = true;")).toEqual([]);
    expect(await checker.check("const made: string = captionMakers[0]!();")).toEqual([]);
    // So is a loop's or a block's own declaration.
    expect(await run(checker, "const firstMaker = (() => { for (const caption of ['y']) return () => caption; })();\n{ const caption = 'z'; var blockMaker = () => caption; }")).toEqual([]);
    expect(await run(checker, "const caption = 0;")).toEqual([]);
    expect(await checker.check("const fromLoop: string | undefined = firstMaker?.();\nconst fromBlock: string = blockMaker();")).toEqual([]);
    // A function's own types too.
    expect(await run(checker, "type Local = { outer: true };")).toEqual([]);
    expect(await run(checker, "function makeLocal() { interface Local { inner: number } const made: Local = { inner: 1 }; return made; }")).toEqual([]);
    expect(await run(checker, "type Local = { replaced: true };")).toEqual([]);
    expect(await checker.check("const inner: number = makeLocal().inner;")).toEqual([]);
  });

  it("lets a function call whatever its callee is now, as it does at run time", async () => {
    expect(await run(checker, "function lateHelper() { return 1; }\nfunction callsLate() { return lateHelper(); }")).toEqual([]);
    expect(await run(checker, "function lateHelper() { return 'text'; }")).toEqual([]);
    expect(await checker.check("const t: string = callsLate();")).toEqual([]);
  });

  it("keeps a value when a later cell declares only a type of its name, and a type when a later cell declares only a value, as at run time", async () => {
    expect(await run(checker, "const Status = { Active: 'active', Done: 'done' } as const;")).toEqual([]);
    // The companion type of a constant: `typeof Status` is the value of the cell above.
    expect(await run(checker, "type Status = (typeof Status)[keyof typeof Status];\nconst done: Status = 'done';")).toEqual([]);
    expect(await checker.check("function label(s: Status) { return s.toUpperCase(); }\nlabel(Status.Active);")).toEqual([]);
    expect(codes(await checker.check("const other: Status = 'other';"))).toEqual([2322]);
    expect(await run(checker, "interface Money { cents: number }")).toEqual([]);
    expect(await run(checker, "const Money = { zero: { cents: 0 } as Money };")).toEqual([]);
    expect(await checker.check("const m: Money = Money.zero;")).toEqual([]);
    // A value declared again replaces the value only; the type made from the earlier one keeps its members.
    expect(await run(checker, "const Status = { Paused: 1 } as const;")).toEqual([]);
    expect(await checker.check("const paused: number = Status.Paused;\nconst stillDone: Status = 'done';")).toEqual([]);
    expect(codes(await checker.check("Status.Active;"))).toEqual([2339]);
    // A class is a value and a type: a later type of its name replaces the type, the class stays the value.
    expect(await run(checker, "class Vertex { constructor(public x = 0) {} }")).toEqual([]);
    expect(await run(checker, "interface Vertex { label: string }")).toEqual([]);
    expect(await run(checker, "const madeVertex = new Vertex(2);")).toEqual([]);
    expect(await checker.check("const vx: number = madeVertex.x;\nconst v: Vertex = { label: 'a' };")).toEqual([]);
    // …until a value of its name replaces it too; what was made before keeps its type.
    expect(await run(checker, "const Vertex = 'value';")).toEqual([]);
    expect(await checker.check("const s: string = Vertex;\nconst vx: number = madeVertex.x;\nconst v: Vertex = { label: 'b' };")).toEqual([]);
    // A namespace of types only is no value: the constant of its name stays.
    expect(await run(checker, "const Api = { get: (r: { path: string }) => r.path };")).toEqual([]);
    expect(await run(checker, "namespace Api { export type Req = { path: string } }")).toEqual([]);
    expect(await checker.check("const req: Api.Req = { path: '/x' };\nconst got: string = Api.get(req);")).toEqual([]);
  });

  it("keeps the keys a computed property name gave, and a static field's value, when a later cell declares the key's name again", async () => {
    expect(await run(checker, "const slot = 'first';\nconst keyed = { [slot]: 1 };\ninterface Keyed { [slot]: number }\nclass KeyedClass { [slot] = 1; static readonly initial = slot; get [slot + 'Getter']() { return 1; } }")).toEqual([]);
    expect(await run(checker, "const slot = 'second';")).toEqual([]);
    // At run time keyed.first is 1 and KeyedClass.initial is "first": the keys and values of when the cell ran.
    expect(await checker.check("const a: number = keyed.first + new KeyedClass().first;\nconst k: Keyed = { first: 2 };\nconst s: 'first' = KeyedClass.initial;")).toEqual([]);
    expect(codes(await checker.check("keyed.second;"))).toEqual([2339]);
  });

  it("keeps a generic's type parameter and a namespace's members apart from top-level names of the same spelling", async () => {
    expect(await run(checker, "type Param = number;\nfunction same<Param>(x: Param): Param { return x; }\nnamespace Space { export const member = 1; }\nconst member = 'outer';")).toEqual([]);
    expect(await run(checker, "type Param = string;\nconst member = 5;")).toEqual([]);
    expect(await checker.check("const b: boolean = same(true);\nconst m: number = Space.member + member;")).toEqual([]);
    // A namespace's body ran with its cell: its values and types keep the cell's names of then.
    expect(await run(checker, "const base = 10;\ntype Unit = 'cm';\nnamespace Geo { export const start = base; export type U = Unit; const member = start; export const inner: typeof member = member; }")).toEqual([]);
    expect(await run(checker, "const base = 'ten';\ntype Unit = 'in';\nconst member = true;\nconst start = 'x';")).toEqual([]);
    expect(await checker.check("const n: number = Geo.start + Geo.inner;\nconst u: Geo.U = 'cm';")).toEqual([]);
    // An `infer` in a conditional type, a mapped type's key: names of their own there too.
    expect(await run(checker, "type Elem = { id: number };\ntype Field = 'id';\ntype ElementOf<T> = T extends readonly (infer Elem)[] ? Elem : never;\ntype Getters<T> = { [Field in keyof T]: () => T[Field] };")).toEqual([]);
    expect(await run(checker, "type Elem = { other: string };\ntype Field = 'other';")).toEqual([]);
    expect(await checker.check("const e: ElementOf<string[]> = 's';\nconst g: Getters<{ a: number }> = { a: () => 1 };")).toEqual([]);
  });

  it("makes imports of an earlier cell visible, typed, to later cells", async () => {
    expect(await run(checker, 'import fs from "fs";\nimport * as path from "node:path";\nimport { join as joinPath, type ParsedPath } from "node:path";')).toEqual([]);
    expect(await checker.check('const text: string = fs.readFileSync("/etc/hostname", "utf8");\nconst p: string = path.join("a", joinPath("b"));\nlet parsed: ParsedPath | undefined;')).toEqual([]);
    const wrong = await checker.check('const n: number = fs.readFileSync("/etc/hostname", "utf8");');
    expect(codes(wrong)).toEqual([2322]);
    expect(wrong[0].message).toContain("string");
    const missing = await checker.check('const a = 1;\nimport nothing from "no-such-package-here";');
    expect(missing).toMatchObject([{ code: 2307, line: 2, column: 8 }]);
  });

  it("finds the names an import without `type` takes that are types only (interfaces, type aliases), and only those", async () => {
    const cell = 'import { SpawnOptions, spawn, type ChildProcess, ExecException } from "node:child_process";\nimport { Dirent, type Stats } from "node:fs";';
    expect(await checker.check(cell)).toEqual([]);
    // Dirent is a class: a value too.
    expect([...checker.typeOnlyImports(cell)].sort()).toEqual(["ExecException", "SpawnOptions"]);
    expect(checker.typeOnlyImports("const other = 1;")).toEqual([]);
    // A name the module has nowhere is an error, not a type.
    const missing = 'import { NoSuchName } from "node:fs";';
    expect(await checker.check(missing)).toHaveLength(1);
    expect(checker.typeOnlyImports(missing)).toEqual([]);
  });

  it("allows top-level await and for await in a cell", async () => {
    expect(await checker.check("const v = await Promise.resolve(42);\nfor await (const item of [Promise.resolve(1)]) { item.toFixed(); }\nv.toFixed()")).toEqual([]);
    expect(await run(checker, "const awaited = await Promise.resolve('text');")).toEqual([]);
    expect(codes(await checker.check("const len: string = awaited.length;"))).toEqual([2322]);
  });

  it("checks the same cell again after a later cell changed a type it uses", async () => {
    expect(await run(checker, "let level: number = 1;")).toEqual([]);
    const reader = "const doubled: number = level * 2;";
    expect(await checker.check(reader)).toEqual([]);
    expect(await checker.check(reader)).toEqual([]);
    // A cell that declares nothing changes nothing: the same answer holds.
    expect(await run(checker, "level + 1")).toEqual([]);
    expect(await checker.check(reader)).toEqual([]);
    expect(await run(checker, "let level: string = 'high';")).toEqual([]);
    expect(codes(await checker.check(reader))).toEqual([2362]);
  });

  it("finds the names of a cell with non-ASCII text before them, and replaces them", async () => {
    expect(await run(checker, "const café = '☕ 😀';\nconst ounces: number = 8;")).toEqual([]);
    expect(await run(checker, "const ounces: string = 'eight';")).toEqual([]);
    expect(await checker.check("const o: string = ounces;\nconst c: string = café;")).toEqual([]);
    expect(codes(await checker.check("const o: number = ounces;"))).toEqual([2322]);
  });

  it("takes export default of anonymous functions and classes, and import/export forms, without inventing errors", async () => {
    expect(await run(checker, "namespace Exporting { export const inner = 1; }\nexport import exportedAlias = Exporting.inner;\nconst besideAlias = 2;")).toEqual([]);
    expect(await checker.check("const sum: number = exportedAlias + besideAlias;")).toEqual([]);
    expect(await run(checker, "export default function () { return 1; }")).toEqual([]);
    expect(await run(checker, "export default class { v = 1; }")).toEqual([]);
    expect(await run(checker, "import type { Stats } from 'node:fs';\nimport { readFileSync as rf, type PathLike } from 'fs';\nexport const sized = (p: PathLike): number => rf(p).length;\nlet st: Stats | undefined;")).toEqual([]);
    expect(codes(await checker.check("const n: string = sized('/etc/hostname');"))).toEqual([2322]);
  });

  it("takes declare global { … } as a module would write it: ambient values, augmented types, errors at their own column", async () => {
    const augment = "declare global {\n  interface Array<T> { lastOne(): T | undefined }\n  var hits: number;\n  function bump(): number;\n}\nhits = bump() + [1].lastOne()!;";
    expect(await run(checker, augment)).toEqual([]);
    expect(codes(await checker.check("const s: string = ['a'].lastOne() ?? hits;"))).toEqual([2322]);
    // A namespace in the block is ambient: its members are exported, as NodeJS.ProcessEnv's augmentation needs.
    expect(await run(checker, "export {};\ndeclare global { namespace NodeJS { interface ProcessEnv { EPHEMERON_FLAG: 'on' } } }")).toEqual([]);
    expect(await checker.check("const flag: 'on' = process.env.EPHEMERON_FLAG;")).toEqual([]);
    // `export` in the block, as a module may write it, changes nothing.
    expect(await run(checker, "export {};\ndeclare global { export interface Exported { a: number } export function exportedFn(): number }\nconst besideExported = 1;")).toEqual([]);
    expect(await checker.check("const ex: Exported = { a: exportedFn() + besideExported };")).toEqual([]);
    const [typo] = await checker.check("declare global { var misses: Nmber }");
    expect([typo?.code, typo?.line, typo?.column]).toEqual([2552, 1, 30]);
  });

  it("lets a cell declare a module for an untyped package again, run again or edited: the newest declaration is the module", async () => {
    const declaration = 'declare module "no-types-here" { export const version: number; export function make(): number }';
    expect(await run(checker, declaration)).toEqual([]);
    expect(await run(checker, declaration)).toEqual([]);
    expect(await run(checker, declaration.replaceAll("number", "string"))).toEqual([]);
    expect(await checker.check('import { make, version } from "no-types-here";\nconst s: string = make() + version;')).toEqual([]);
    expect(codes(await checker.check('import { make } from "no-types-here";\nconst n: number = make();'))).toEqual([2322]);
    // The module's name is no name a cell completes.
    expect((await checker.complete("mod", 3)).matches.filter((m) => m.includes("no-types-here"))).toEqual([]);
  });

  it("lets // @ts-ignore and // @ts-expect-error above an import silence its error, and only its own, as tsc does", async () => {
    expect(await checker.check('// @ts-ignore: undocumented\nimport { notThere } from "node:fs";\nconst afterIgnore = 1;')).toEqual([]);
    expect(await checker.check('// @ts-expect-error\n\nimport missingDefault from "no-such-package-here";')).toEqual([]);
    // The directive covers the import's line, not the line after it.
    expect(await checker.check('// @ts-ignore\nimport { readFileSync } from "node:fs";\nconst wrongAfter: number = "x";')).toMatchObject([{ code: 2322, line: 3 }]);
    // An expect-error over an import that has none is unused, as tsc says.
    expect(await checker.check('// @ts-expect-error\nimport { readFileSync } from "node:fs";')).toMatchObject([{ code: 2578, line: 1 }]);
  });

  it("gives later cells the names of a cell that reads import.meta (which makes a file a module to TypeScript)", async () => {
    expect(await run(checker, "const notebookDir: string = import.meta.dirname;\nconst besideMeta = 5;\nfunction metaUrl() { return import.meta.url; }")).toEqual([]);
    expect(await checker.check("const total: number = besideMeta + notebookDir.length + metaUrl().length;")).toEqual([]);
    expect(await checker.check("const wrong: number = import.meta.url;")).toMatchObject([{ code: 2322, line: 1, column: 7 }]);
    expect(codes(await checker.check("import.meta.nothing;"))).toEqual([2339]);
  });

  it("skips a cell whose first line is // @ts-nocheck", async () => {
    expect(await checker.check("// @ts-nocheck\nconst n: number = 'not a number';")).toEqual([]);
    expect(codes(await checker.check("const n: number = 'not a number';"))).toEqual([2322]);
  });

  it("knows Node's globals and the runtime's globals", async () => {
    expect(await checker.check("process.version.length;\nBuffer.from('a');\nsetTimeout(() => {}, 1);\nconst os = require('os');\ndisplay({ a: 1 });\ndisplay.html('<b>x</b>');")).toEqual([]);
    expect(codes(await checker.check("display();"))).toEqual([2554]);
  });

  it("does not report the last expression of a cell as unused", async () => {
    expect(await checker.check("const arr = [1, 2, 3];\narr.length\n")).toEqual([]);
    expect(await checker.check("1 + 2;\n'x'")).toEqual([]);
  });

  it("completes members after Math.", async () => {
    const result = await checker.complete("Math.", 5);
    expect(result.matches).toEqual(expect.arrayContaining(["abs", "floor", "max", "PI"]));
    expect(result.cursorStart).toBe(5);
    expect(result.cursorEnd).toBe(5);
    expect(result.types.find((t) => t.text === "floor")?.type).toBe("method");
    const prefixed = await checker.complete("Math.fl", 7);
    expect(prefixed.matches).toEqual(["floor"]);
    expect(prefixed.cursorStart).toBe(5);
  });

  it("completes an earlier cell's variable from its prefix", async () => {
    await run(checker, "const my_list = [1, 2, 3];\nfunction my_helper() { return 1 }");
    const result = await checker.complete("my_", 3);
    expect(result.matches).toEqual(expect.arrayContaining(["my_list", "my_helper"]));
    expect(result.cursorStart).toBe(0);
    expect(result.cursorEnd).toBe(3);
    expect(result.types.find((t) => t.text === "my_helper")?.type).toBe("function");
    expect((await checker.complete("pro", 3)).matches).toContain("process");
  });

  it("counts the cursor in code points: an emoji before the cursor does not shift the match", async () => {
    const source = 'const face = "😀😀";\nmy_';
    const cursor = Array.from(source).length; // 20 code points, 22 UTF-16 units
    const result = await checker.complete(source, cursor);
    expect(result.matches).toContain("my_list");
    expect(result.cursorStart).toBe(cursor - 3);
    expect(result.cursorEnd).toBe(cursor);
    const member = 'const s = "🎉"; Math.fl';
    const memberResult = await checker.complete(member, Array.from(member).length);
    expect(memberResult.matches).toEqual(["floor"]);
    expect(memberResult.cursorStart).toBe(Array.from(member).length - 2);
    const diagnostics = await checker.check('const s = "🎉"; const n: number = s;');
    expect(diagnostics).toMatchObject([{ code: 2322, line: 1, column: 22 }]);
  });

  it("inspects a function with JSDoc: signature and documentation", async () => {
    await run(checker, "/**\n * Adds two numbers.\n * @param a the first\n */\nfunction add(a: number, b = 2): number {\n  return a + b;\n}");
    const result = await checker.inspect("add(1, 2)", 1, 0);
    expect(result.found).toBe(true);
    expect(result.plain).toContain("function add(a: number, b?: number): number");
    expect(result.plain).toContain("Adds two numbers.");
    expect(result.markdown).toContain("```typescript\nfunction add(a: number, b?: number): number\n```");
    const atEnd = await checker.inspect("add", 3, 1);
    expect(atEnd.found).toBe(true);
    expect(atEnd.plain).toContain("@param a the first");
    expect((await checker.inspect("my_list", 2, 0)).plain).toBe("const my_list: number[]");
    expect((await checker.inspect("   ", 1, 0)).found).toBe(false);
    // Inside a call's parentheses, the function called, as IPython shows it.
    expect((await checker.inspect("add(1, 2)", 7, 0)).plain).toContain("function add(a: number, b?: number): number");
  });

  it("completes what can follow a dot: optional members without their ?, private #names, identifier keys only", async () => {
    await run(checker, 'interface Maybe { label?: string; size: number }\nconst maybe: Maybe = { size: 1 };\nconst keyed = { "dash-key": 1, plain: 2 };\nconst 𝒳ab = 1;\nconst weakling = 1;');
    expect((await checker.complete("maybe.", 6)).matches).toEqual(["label", "size"]);
    expect((await checker.complete("keyed.", 6)).matches).toEqual(["plain"]);
    expect((await checker.complete("new Map().", 10)).matches).not.toContain("Symbol");
    // Constants are members too: a namespace's, a module's, and the globals behind globalThis.
    await run(checker, 'import * as os from "node:os";\nnamespace Sizes { export const small = 1; export function big() { return 2; } }');
    expect((await checker.complete("Sizes.", 6)).matches).toEqual(["big", "small"]);
    expect((await checker.complete("os.EO", 5)).matches).toEqual(["EOL"]);
    expect((await checker.complete("globalThis.Ma", 13)).matches).toEqual(expect.arrayContaining(["Map", "Math"]));
    // In a module specifier the word is the whole name typed so far: `node:f` becomes `node:fs`, not `node:node:fs`.
    const specifier = 'import x from "node:f';
    expect(await checker.complete(specifier, specifier.length)).toMatchObject({ matches: ["node:fs", "node:fs/promises"], cursorStart: 15 });
    const dynamic = 'await import("node:pa';
    expect((await checker.complete(dynamic, dynamic.length)).matches).toContain("node:path");
    const secret = "class Vault { #secret = 1; open() { return this.#s";
    expect(await checker.complete(secret, [...secret].length)).toMatchObject({ matches: ["#secret"], cursorStart: secret.length - 2 });
    // Regardless of case, as editors match; the exact case first.
    const weak = (await checker.complete("weak", 4)).matches;
    expect(weak[0]).toBe("weakling");
    expect(weak).toEqual(expect.arrayContaining(["WeakMap", "WeakRef", "WeakSet"]));
    // An astral-plane letter is one code point of the name being completed.
    expect(await checker.complete("𝒳a", 2)).toMatchObject({ matches: ["𝒳ab"], cursorStart: 0, cursorEnd: 2 });
  });

  it("describes interfaces, type aliases, functions merged with namespaces, and redeclared classes by the names the user wrote", async () => {
    await run(checker, "interface Shape { w: number }\ntype Choice = { pick: string } | number;\nclass Held { a = 1 }\nconst held = new Held();");
    await run(checker, "class Held { b = 2 }");
    expect((await checker.inspect("let s: Shape", 12, 0)).plain).toBe("interface Shape");
    expect((await checker.inspect("let c: Choice", 13, 0)).plain).toBe("type Choice = number | { pick: string; }");
    expect((await checker.inspect("held", 4, 0)).plain).toBe("const held: Held");
    expect((await checker.inspect("setTimeout", 10, 0)).plain).toMatch(/^function setTimeout<TArgs extends any\[\]>\(callback: /);
    // A value of a callable interface's type, by its call signature.
    await run(checker, "interface Maker { (size: number): string }\nconst make: Maker = (size) => 'x'.repeat(size);");
    expect((await checker.inspect("make", 4, 0)).plain).toBe("const make: (size: number) => string");
    expect((await checker.inspect("[1, 2].map((n) => n * 2)", 19, 0)).plain).toBe("(parameter) n: number");
    expect((await checker.check("const wrong: string = held;"))[0]?.message).toBe("Type 'Held (earlier)' is not assignable to type 'string'.");
  });

  it("finds a name that is only a type where a value would go (Shape? asks about the interface), with its type parameters", async () => {
    await run(checker, "/** A shape. */\ninterface Outline { w: number }\n/** Two of a kind. */\ntype Twin<T, U extends string = 'x'> = [T, U];\ninterface Holder<T> { v: T }");
    expect((await checker.inspect("Outline", 3, 0)).plain).toBe("interface Outline\n\nA shape.");
    expect((await checker.inspect("Twin", 2, 0)).plain).toBe("type Twin<T, U extends string = 'x'> = [T, U]\n\nTwo of a kind.");
    expect((await checker.inspect("Holder", 3, 0)).plain).toBe("interface Holder<T>");
    expect((await checker.inspect("NoSuchName", 3, 0)).found).toBe(false);
  });

  it("shows a class with its constructors, inside `new Point(|` too, as IPython shows a class's init signature", async () => {
    await run(checker, "/** A point. */\nclass Point { constructor(readonly x: number, readonly y = 0) {} }\nclass Bare {}");
    expect((await checker.inspect("new Point(1, ", 12, 0)).plain).toBe("class Point\nconstructor(x: number, y?: number)\n\nA point.");
    expect((await checker.inspect("Bare", 2, 0)).plain).toBe("class Bare");
  });
});

describe("CellChecker with the runtime's own types (types/*.d.ts)", () => {
  let checker: CellChecker;
  const typesDir = fileURLToPath(new URL("../../types/", import.meta.url));
  beforeAll(async () => {
    const dts = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".d.ts")).map((name) => join(dir, name));
    checker = new CellChecker({ cwd, globalsDts: dts(typesDir), globalValues: dts(join(typesDir, "values")) });
    await checker.ready();
  });
  afterAll(async () => {
    await checker.dispose();
  });

  it("lets a cell subclass weakref.ref and the weak containers for a class of its own, as CPython's docs subclass ref", async () => {
    expect(await run(checker, "class Foo { constructor(public n: number) {} }")).toEqual([]);
    const subclasses = [
      "class FooRef extends weakref.ref<Foo> { calls = 0; }",
      "class FooKeyedRef extends weakref.KeyedRef<Foo, string> { extra = 1; }",
      "class FooCache extends weakref.WeakValueDictionary<string, Foo> { hits = 0; }",
      "class FooNotes extends weakref.WeakKeyDictionary<Foo, string> { extra = 1; }",
      "class FooSet extends weakref.WeakSet<Foo> { extra = 1; }",
      "const seen = new FooRef(new Foo(1)); const n: number | undefined = seen()?.n; seen.calls++;",
    ];
    for (const source of subclasses) expect([source, await run(checker, source)]).toEqual([source, []]);
  });
});

describe("CellChecker while it warms up", () => {
  it("answers a // @ts-nocheck cell at once, without waiting for the warm-up", async () => {
    const fresh = new CellChecker({ cwd, globalsDts: [globalsDts] });
    let warm = false;
    void fresh.ready().then(() => (warm = true));
    expect(await fresh.check("// @ts-nocheck\nconst late: number = 'not checked';")).toEqual([]);
    expect(warm).toBe(false);
    await fresh.accept("// @ts-nocheck\nconst late: number = 'not checked';");
    expect(codes(await fresh.check("const s: string = late;"))).toEqual([2322]);
    await fresh.dispose();
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("CellChecker when the kernel's own thread is busy", () => {
  it("keeps checking when the thread was busy past the request timeout while tsgo answered in time", async () => {
    const slow = new CellChecker({ cwd, globalsDts: [globalsDts] }, { requestTimeoutMs: 300 });
    await slow.ready();
    expect(await slow.check("const ok: number = 1;")).toEqual([]);
    // The kernel's thread blocked (a huge cell's parse) from the moment the request went to tsgo until
    // past the timeout: tsgo's answer waits in the pipe, and must be read rather than tsgo given up on.
    const busy = () => {
      const until = Date.now() + 900;
      while (Date.now() < until);
    };
    expect(codes(await slow.check("const bad: string = 1;", busy))).toEqual([2322]);
    expect(codes(await slow.check("const worse: number = 'x';"))).toEqual([2322]);
    // A tsgo that stops answering while the thread is free is still given up on, and the check does not hang.
    // The newest tsgo this process started: this checker's.
    const tsgo = [Number(execFileSync("pgrep", ["-n", "-P", String(process.pid), "-f", "--", "tsc --api"], { encoding: "utf8" }).trim())];
    for (const pid of tsgo) process.kill(pid, "SIGSTOP");
    try {
      expect(await slow.check("const lost: string = 2;")).toEqual([]);
    } finally {
      // Given up on, it was killed; otherwise it must not stay stopped.
      for (const pid of tsgo) if (isRunning(pid)) process.kill(pid, "SIGCONT");
    }
    await slow.dispose();
  });
});

describe("formatDiagnostics", () => {
  it("prints a header, the source line and a caret under the column", () => {
    const lines = formatDiagnostics([{ code: 2322, line: 3, column: 7, message: "Type 'number' is not assignable to type 'string'.", sourceLine: "const bad: string = 1;" }]);
    expect(lines).toEqual(["TS2322 (line 3, col 7): Type 'number' is not assignable to type 'string'.", "const bad: string = 1;", "      ^"]);
  });

  it("draws the caret under the column as the line is shown: an emoji takes two cells, a combining accent none, a tab stays a tab", () => {
    const caret = (sourceLine: string, column: number) => formatDiagnostics([{ code: 1, line: 1, column, message: "m", sourceLine }])[2];
    expect(caret('const e = "😀😀"; bad', 18)).toBe(" ".repeat(19) + "^");
    expect(caret('const s = "e\u0301"; bad', 17)).toBe(" ".repeat(15) + "^");
    expect(caret("\tbad", 2)).toBe("\t^");
  });
});

describe("CellChecker when tsgo dies", () => {
  it("restarts once, knows the accepted cells again, and after a second death answers with no diagnostics", async () => {
    const checker = new CellChecker({ cwd });
    await checker.ready();
    await run(checker, "const survivor: number = 1;");
    const internals = checker as unknown as { current: { channel: { pid: number; exited: Promise<string> } } };
    const kill = async () => {
      const { channel } = internals.current;
      process.kill(channel.pid, "SIGKILL");
      await channel.exited;
    };
    await kill();
    expect(checker.available).toBe(true); // restarted
    expect(await checker.ready()).toBeGreaterThan(0);
    expect(codes(await checker.check("const s: string = survivor;"))).toEqual([2322]);
    await kill();
    expect(checker.available).toBe(false);
    expect(await checker.check("const s: string = 1;")).toEqual([]);
    expect((await checker.complete("Math.", 5)).matches).toEqual([]);
    expect((await checker.inspect("survivor", 1, 0)).found).toBe(false);
    await checker.dispose();
  });
});

describe("CellChecker restarted", () => {
  it("keeps the types a cell that imports an untyped package declared for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-checker-"));
    mkdirSync(join(dir, "node_modules", "untyped-js"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "untyped-js", "package.json"), '{ "name": "untyped-js", "main": "index.js" }');
    writeFileSync(join(dir, "node_modules", "untyped-js", "index.js"), "exports.f = () => 42;\n");
    try {
      const checker = new CellChecker({ cwd: dir });
      await checker.ready();
      expect(await run(checker, 'import { f } from "untyped-js";\ndeclare module "untyped-js" { export function f(): number }\nconst typed: number = f();')).toEqual([]);
      const { channel } = (checker as unknown as { current: { channel: { pid: number; exited: Promise<string> } } }).current;
      process.kill(channel.pid, "SIGKILL");
      await channel.exited;
      await checker.ready();
      // The new tsgo is told again that the package has no types of its own: the cell's declare module gives them.
      expect(codes(await checker.check('import { f } from "untyped-js";\nconst wrongType: string = f();'))).toEqual([2322]);
      await checker.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("CellChecker's cell files", () => {
  it("watches the notebook's own files tsgo read for edits, not the kernel's declaration files nor the kernel's package.json", () => {
    const root = mkdtempSync(join(tmpdir(), "ephemeron-shipped-"));
    try {
      // A kernel as installed: its package.json above the types folder it ships.
      mkdirSync(join(root, "kernel", "types"), { recursive: true });
      writeFileSync(join(root, "kernel", "package.json"), '{ "name": "kernel", "type": "module" }');
      const shipped = join(root, "kernel", "types", "runtime.d.ts");
      writeFileSync(shipped, "declare const shipped: number;\n");
      mkdirSync(join(root, "notebook"));
      const helper = join(root, "notebook", "helper.ts");
      writeFileSync(helper, "export const h = 1;\n");
      const files = new CellFiles(join(root, "notebook"), [shipped]);
      const fs = files.fileSystem();
      for (const file of [shipped, join(root, "kernel", "package.json"), helper]) fs.readFile(file);
      const later = new Date(Date.now() + 60_000);
      utimesSync(shipped, later, later);
      utimesSync(join(root, "kernel", "package.json"), later, later);
      expect(files.editedSources()).toEqual([]);
      utimesSync(helper, later, later);
      expect(files.editedSources()).toEqual([helper]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("frees a chain of replaced cells and keeps a cell's own global type name in force across a long session (the pool grows past 32 files)", async () => {
    const checker = new CellChecker({ cwd, globalsDts: [globalsDts] });
    await checker.ready();
    expect(await run(checker, "interface Event { name: string }")).toEqual([]);
    expect(await run(checker, "const base = 1;")).toEqual([]);
    expect(await run(checker, "const derived = base + 1;")).toEqual([]);
    for (let i = 0; i < 40; i++) expect(await run(checker, `const filler${i}: number = ${i};`)).toEqual([]);
    // base is replaced while derived still means the old one; then derived is replaced too, and both old cells go.
    expect(await run(checker, 'const base = "now a string";')).toEqual([]);
    expect(await checker.check("const n: number = derived;")).toEqual([]);
    expect(await run(checker, 'const derived = base + "!";')).toEqual([]);
    expect(await checker.check("const s: string = base + derived;")).toEqual([]);
    expect(codes(await checker.check("const n: number = derived;"))).toEqual([2322]);
    // The first cell's Event is still the cell's, not the library's, 45 cells on.
    expect(await checker.check('const ev: Event = { name: "x" };\nev.name')).toEqual([]);
    expect(codes(await checker.check("const ev: Event = { name: 1 };"))).toEqual([2322]);
    await checker.dispose();
  });

  it("leaves nothing in the notebook's folder by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-checker-"));
    try {
      const checker = new CellChecker({ cwd: dir });
      await checker.ready();
      await run(checker, "const kept = 1;");
      expect(codes(await checker.check("const s: string = kept;"))).toEqual([2322]);
      expect(readdirSync(dir)).toEqual([]);
      await checker.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("resolves a cell's relative imports from the notebook's folder, as Node does at run time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-checker-"));
    writeFileSync(join(dir, "helper.js"), "export function double(n) { return n * 2; }\n");
    writeFileSync(join(dir, "helper.d.ts"), "export declare function double(n: number): number;\n");
    try {
      const checker = new CellChecker({ cwd: dir });
      await checker.ready();
      expect(await run(checker, 'import { double } from "./helper.js";\ndouble(2)')).toEqual([]);
      expect(codes(await checker.check('const s: string = double(2);'))).toEqual([2322]);
      // As tsc reports it for a module: TS2305 "Module '"./helper.js"' has no exported member 'triple'."
      expect(await checker.check('import { triple } from "./helper.js";')).toMatchObject([{ code: 2305, message: "Module '\"./helper.js\"' has no exported member 'triple'." }]);
      expect(codes(await checker.check('import { x } from "./absent.js";'))).toEqual([2307]);
      expect(readdirSync(dir).sort()).toEqual(["helper.d.ts", "helper.js"]);
      await checker.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes declare module \"pkg\" in a cell that imports or exports as tsc takes it in a module: an augmentation of the package or file, not a new module in its place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-checker-"));
    mkdirSync(join(dir, "node_modules", "typed-pkg"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "typed-pkg", "package.json"), '{ "name": "typed-pkg", "main": "index.js", "types": "index.d.ts" }');
    writeFileSync(join(dir, "node_modules", "typed-pkg", "index.js"), "exports.make = () => ({ a: 1 });\n");
    writeFileSync(join(dir, "node_modules", "typed-pkg", "index.d.ts"), "export interface Opts { a: number }\nexport declare function make(): Opts;\n");
    mkdirSync(join(dir, "node_modules", "untyped-js"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "untyped-js", "package.json"), '{ "name": "untyped-js", "main": "index.js" }');
    writeFileSync(join(dir, "node_modules", "untyped-js", "index.js"), "exports.f = () => 42;\n");
    writeFileSync(join(dir, "shapes.ts"), "export interface Shape { kind: string }\nexport function sides(s: Shape): number { return s.kind.length; }\n");
    try {
      const checker = new CellChecker({ cwd: dir });
      await checker.ready();
      expect(await run(checker, 'import { make, type Opts } from "typed-pkg";\ndeclare module "typed-pkg" { interface Opts { extra?: string } }\nconst opts: Opts = { ...make(), extra: "x" };')).toEqual([]);
      expect(await run(checker, 'export {};\ndeclare module "./shapes.ts" { interface Shape { corners?: number } }')).toEqual([]);
      // Later cells see the package and the file with what the augmentations added.
      expect(await checker.check('import { make, type Opts } from "typed-pkg";\nimport { sides } from "./shapes.ts";\nconst more: Opts = { a: make().a, extra: "y" };\nsides({ kind: "sq", corners: 4 });')).toEqual([]);
      expect(codes(await checker.check('import { type Opts } from "typed-pkg";\nconst wrong: Opts = { a: 1, extra: 2 };'))).toEqual([2322]);
      // A package without types has nothing to augment (tsc's TS2665): the cell declares its types, as a cell without imports does.
      expect(await run(checker, 'import { f } from "untyped-js";\ndeclare module "untyped-js" { export function f(): number }\nconst typed: number = f();')).toEqual([]);
      expect(codes(await checker.check('import { f } from "untyped-js";\nconst wrongType: string = f();'))).toEqual([2322]);
      expect(await run(checker, 'declare module "untyped-js" { export function f(): string }')).toEqual([]);
      expect(await checker.check('import { f } from "untyped-js";\nconst nowString: string = f();')).toEqual([]);
      // An augmentation of a module nobody can find is an error, as tsc's TS2664.
      expect(await checker.check('export {};\ndeclare module "typed-pkk" { interface Opts { extra?: string } }')).toMatchObject([{ code: 2307, line: 2, column: 16 }]);
      // The augmentation edited and run again replaces its member; the other augmentation stays.
      expect(await run(checker, 'export {};\ndeclare module "typed-pkg" { interface Opts { extra?: number } }')).toEqual([]);
      expect(await checker.check('import { type Opts } from "typed-pkg";\nimport { sides } from "./shapes.ts";\nconst now: Opts = { a: 1, extra: 2 };\nsides({ kind: "sq", corners: 4 });')).toEqual([]);
      await checker.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("checker timings (reported, not asserted)", () => {
  it("measures warm-up, the 1st and 50th check, and completion after Math.", async () => {
    const started = performance.now();
    const checker = new CellChecker({ cwd, globalsDts: [globalsDts] });
    const warmup = await checker.ready();
    const readyAt = performance.now() - started;
    const checks: number[] = [];
    for (let i = 0; i < 50; i++) {
      const cell = `interface P${i} { x: number }\nconst p${i}: P${i} = { x: ${i} };\np${i}.x + 1`;
      const t = performance.now();
      await checker.check(cell);
      checks.push(performance.now() - t);
      await checker.accept(cell);
    }
    const completions: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await checker.complete("Math.", 5);
      completions.push(performance.now() - t);
    }
    process.stderr.write(
      `[checker timings] warm-up ${warmup?.toFixed(0)} ms reported (${readyAt.toFixed(0)} ms from construction); ` +
        `check 1st ${checks[0].toFixed(1)} ms, 50th ${checks[49].toFixed(1)} ms; ` +
        `complete after Math. ${completions.map((c) => c.toFixed(1)).join(" / ")} ms\n`,
    );
    expect(checks).toHaveLength(50);
    await checker.dispose();
  });
});
