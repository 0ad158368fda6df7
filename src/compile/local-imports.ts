// The notebook's own TypeScript files a cell imports (`./geometry.ts`, and
// what that imports in turn): the checker reports their type errors with the
// cell's, as tsc reports every file of a program, since the runtime would run
// them as they are. Specifiers are found by pattern, not by parsing: a word in
// a comment that looks like an import only adds a file the checker then
// checks too, and the patterns cost nothing beside a parse of every file.

import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { typeScriptPath } from "../runtime/imports.js";
import { localSpecifiers } from "../runtime/syntax-error-place.js";

/** Specifiers of the files read so far, by path, with the modification time they were read at. */
const specifiersOf = new Map<string, { mtimeMs: number; specifiers: string[] }>();

/** The TypeScript files `source`, in folder `dir`, imports through any chain of local imports; in the order found. */
export function localTypeScriptImports(source: string, dir: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (specifiers: string[], from: string): void => {
    for (const specifier of specifiers) {
      const path = typeScriptPath(specifier, from);
      if (path === undefined || seen.has(path)) continue;
      seen.add(path);
      found.push(path);
      visit(fileSpecifiers(path), dirname(path));
    }
  };
  visit(localSpecifiers(source), dir);
  return found;
}

function fileSpecifiers(path: string): string[] {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return [];
  }
  const cached = specifiersOf.get(path);
  if (cached?.mtimeMs === mtimeMs) return cached.specifiers;
  let specifiers: string[];
  try {
    specifiers = localSpecifiers(readFileSync(path, "utf8"));
  } catch {
    specifiers = [];
  }
  specifiersOf.set(path, { mtimeMs, specifiers });
  return specifiers;
}
