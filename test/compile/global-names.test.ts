// Which names the checker's global scope has before any cell: an import under one of them gets a
// stand-in that does not merge with the global's declaration (cell-source.ts).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { globalDeclarations, isGlobalName, scanLibraries } from "../../src/compile/global-names.js";

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

  it("are written by the build for the installed libraries, as a scan of them finds them (the kernel reads the file, not 3 MB of libraries)", () => {
    const built = JSON.parse(readFileSync(join(PACKAGE_ROOT, "dist", "src", "compile", "global-names.json"), "utf8")) as { libraries: string; names: string[] };
    const versions = ["typescript", "@types/node"].map((name) => `${name}@${(JSON.parse(readFileSync(join(PACKAGE_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version}`);
    expect(built.libraries).toBe(versions.join(" "));
    expect(built.names).toEqual([...scanLibraries()].sort());
  });
});
