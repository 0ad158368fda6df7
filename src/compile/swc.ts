// @swc/core, loaded once and only when the first cell is compiled (loading it costs ~15 ms),
// and the two calls the cell transform makes of it: type stripping and parsing JavaScript.

import { createRequire } from "node:module";
import type * as Swc from "@swc/core";

let swc: typeof Swc | undefined;

function load(): typeof Swc {
  swc ??= createRequire(import.meta.url)("@swc/core") as typeof Swc;
  return swc;
}

/**
 * TypeScript → ES2022 JavaScript, types erased, imports and exports kept as written
 * (`verbatimModuleSyntax`: an import the cell does not use itself is still needed by later
 * cells), class fields with define semantics as tsc's ES2022 default, no decorators, no JSX.
 * Throws swc's diagnostic text on a syntax error.
 */
export function stripTypes(source: string, filename: string): { code: string; map: string } {
  const out = load().transformSync(source, {
    filename,
    sourceFileName: filename,
    sourceMaps: true,
    inputSourceMap: false,
    isModule: true,
    swcrc: false,
    configFile: false,
    jsc: {
      parser: { syntax: "typescript", tsx: false, decorators: false, dynamicImport: true },
      target: "es2022",
      loose: false,
      externalHelpers: false,
      keepClassNames: true,
      preserveAllComments: true,
      experimental: { keepImportAttributes: true },
      transform: { verbatimModuleSyntax: true, useDefineForClassFields: true },
    },
  });
  return { code: out.code, map: out.map ?? '{"mappings":""}' };
}

/** Parses JavaScript as an ES module (offsets in the result are UTF-8 byte positions). */
export function parseModule(code: string): Swc.Module {
  return load().parseSync(code, { syntax: "ecmascript", target: "es2022", script: false });
}
