import { describe, expect, it } from "vitest";
import { isComplete } from "../../src/compile/is-complete.js";

describe("isComplete", () => {
  const table: [string, "complete" | "incomplete" | "invalid", string?][] = [
    ["", "complete"],
    ["const x = 1;", "complete"],
    ["x", "complete"],
    ["x++", "complete"],
    ["type A = Array<number>", "complete"],
    ["const re = /[(]/; re", "complete"],
    ["const s = '(';", "complete"],
    ["// a comment with (", "complete"],
    ["`a ${1 + 2} b`", "complete"],
    // A variable named module (CommonJS's): swc alone reads the start of a module declaration.
    ["module", "complete"],
    ["const module2 = module\nmodule", "complete"],
    ["declare module", "incomplete", "    "],
    ["function f() {", "incomplete", "    "],
    ["if (a) {\n  if (b) {", "incomplete", "        "],
    ["foo(1,", "incomplete", "    "],
    ["[1, 2", "incomplete", "    "],
    // Inside a template's text an indent would become part of the string.
    ["const t = `abc", "incomplete", ""],
    ["const t = `a ${x}\n  more", "incomplete", ""],
    ['const s = "abc\\\n', "incomplete", ""],
    // jupyter console asks before it adds the newline; `\\` is a backslash, not a continuation.
    ['const s = "abc\\', "incomplete", ""],
    ['const s = "abc\\\\', "invalid"],
    // Keywords an operand must follow.
    ["const z = await", "incomplete", "    "],
    ["throw", "incomplete", "    "],
    ["const k = new", "incomplete", "    "],
    // `??` and `?` are operators when what comes before them is no name: the expression goes on.
    ["const y = a ??", "incomplete", "    "],
    ["const c = flag ?", "incomplete", "    "],
    // Statements the input ended in the middle of: more lines finish them.
    ["if (x)", "incomplete"],
    ["for (const x of xs)", "incomplete"],
    ["try {\n  f()\n}", "incomplete"],
    ["if (x) {\n} else", "incomplete"],
    ["class A extends", "incomplete"],
    ["import x from", "incomplete"],
    ["const v = value as", "incomplete"],
    // IPython's help syntax is a finished input; a trailing non-null `!` ends an operand.
    ["Math.max?", "complete"],
    ["gc.refcount??", "complete"],
    ["?Math.max", "complete"],
    // A lone `?` asks about nothing: it runs (and fails) instead of waiting for more lines.
    ["?", "invalid"],
    ["??", "invalid"],
    ["const y = el!", "complete"],
    ["const t = `a ${x", "incomplete", "    "],
    ["/* open comment", "incomplete", ""],
    ["const y = 1 +", "incomplete", "    "],
    ["const f = (a: number) =>", "incomplete", "    "],
    ["const a = 1,", "incomplete", "    "],
    ["obj.", "incomplete", "    "],
    ["a &&", "incomplete", "    "],
    ["x = ", "incomplete", "    "],
    ["@traced", "incomplete", ""],
    ["@memo(10)\n", "incomplete", ""],
    ["class A {\n  @traced", "incomplete", "    "],
    ["@traced class A {}", "complete"],
    ["foo())", "invalid"],
    ["{ ]", "invalid"],
    ["(]", "invalid"],
    ["}", "invalid"],
    ["const = 1", "invalid"],
    ["let 2x = 3;", "invalid"],
    ["class { }", "invalid"],
    ["import fs from 'fs';\nexport const n: number = 1;\nawait Promise.resolve(n)", "complete"],
    ["interface P { x: number }\nenum E { A }\nnamespace N { export const a = 1 }", "complete"],
  ];
  for (const [source, status, indent] of table) {
    it(`${JSON.stringify(source)} is ${status}`, () => {
      const result = isComplete(source);
      expect(result.status).toBe(status);
      if (indent !== undefined) expect(result.indent).toBe(indent);
    });
  }
});
