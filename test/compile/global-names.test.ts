// Which names the checker's global scope has before any cell: an import under one of them gets a
// stand-in that does not merge with the global's declaration (cell-source.ts).

import { describe, expect, it } from "vitest";
import { globalDeclarations, isGlobalName } from "../../src/compile/global-names.js";

describe("globalDeclarations", () => {
  it("takes a script's top-level declarations, and a module's only inside its global blocks", () => {
    const script = "interface ErrorConstructor { x: 1 }\ndeclare var gc: Function;\ndeclare namespace NodeJS {\n    interface Inner {}\n}\ntype Alias = 1;\n";
    expect(globalDeclarations(script)).toEqual(["ErrorConstructor", "gc", "NodeJS", "Alias"]);
    const module = [
      'declare module "console" {',
      "    interface Local {}",
      "    global {",
      "        interface Console { log(): void }",
      "        namespace console {",
      "            interface Nested {}",
      "        }",
      "        var console: Console;",
      "    }",
      "    export = globalThis.console;",
      "}",
      "export {};",
      "declare global {",
      "    function fetch(): void;",
      "}",
      "type Private = 1;",
    ].join("\n");
    expect(globalDeclarations(module)).toEqual(["Console", "console", "console", "fetch"]);
  });

  it("finds the global types of TypeScript's libraries and @types/node, not a module's own", () => {
    // Console and Partial are types only (no value at run time); crypto is Node's value.
    for (const name of ["Console", "Partial", "Record", "NodeJS", "crypto", "Request"]) expect(isGlobalName(name)).toBe(true);
    // Declared inside node:crypto and node:events, not globally.
    for (const name of ["Hash", "BinaryLike", "EventEmitter", "ParsedPath"]) expect(isGlobalName(name)).toBe(false);
  });
});
