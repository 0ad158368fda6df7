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
    ["function f() {", "incomplete", "    "],
    ["if (a) {\n  if (b) {", "incomplete", "        "],
    ["foo(1,", "incomplete", "    "],
    ["[1, 2", "incomplete", "    "],
    ["const t = `abc", "incomplete", "    "],
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
