// The names a cell's checker has in its global scope before any cell: Node's
// globals at run time, and what TypeScript's libraries and @types/node declare
// globally (values, types, namespaces). An import under such a name needs a
// stand-in that does not merge with the global's declaration (cell-source.ts).
//
// The declarations are found by reading the libraries' text, not by asking the
// checker: a cell's stand-ins are written before the check, on the kernel's
// thread, and both libraries are formatted (dprint), so that a declaration in
// a global scope starts a line at that scope's indentation. Names declared
// elsewhere that the pattern also takes only cost their import the longer
// stand-in, which types it the same.

import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tsgoPath } from "./tsgo-channel.js";

/** Node's globals at run time (`crypto`, `URL`, `process`), and CommonJS's names a cell may import under (`module`). */
export const GLOBAL_VALUE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(globalThis), "require", "module", "exports", "__dirname", "__filename"]);

/** A declaration's name, at the start of a line of `indent` spaces (the `(?: {n})` put in by `declarationsAt`). */
const DECLARATION = String.raw`(?:export )?(?:declare )?(?:abstract )?(?:interface|type|class|namespace|module|enum|var|let|const|function) ([A-Za-z_$][\w$]*)`;

function declarationsAt(text: string, indent: number, names: string[]): void {
  for (const match of text.matchAll(new RegExp(`^ {${indent}}${DECLARATION}`, "gm"))) names.push(match[1]!);
}

/**
 * The names `text` (a .d.ts file) declares in the global scope: at its top if it is a script, and
 * in its `global { … }` blocks. Read with regular expressions over the whole text, not line by
 * line: the libraries are 3 MB.
 */
export function globalDeclarations(text: string): string[] {
  const names: string[] = [];
  // A file with a top-level import, export or `declare module "…"` is a module: its top level is its own.
  if (!/^(?:import\b|export\b|declare module ["'])/m.test(text)) declarationsAt(text, 0, names);
  for (const block of text.matchAll(/^( *)(?:declare )?global \{\s*$/gm)) {
    const indent = block[1]!;
    const from = block.index + block[0].length;
    const end = text.indexOf(`\n${indent}}`, from);
    declarationsAt(text.slice(from, end === -1 ? text.length : end), indent.length + 4, names);
  }
  return names;
}

let libraryNames: Set<string> | undefined;

/** The .d.ts files of TypeScript's libraries (the ES ones a cell may use) and of @types/node. */
function libraryFiles(): string[] {
  const files: string[] = [];
  try {
    const libDir = dirname(tsgoPath());
    for (const file of readdirSync(libDir)) if (/^lib\.(?:es|decorators).*\.d\.ts$/.test(file)) files.push(join(libDir, file));
  } catch {
    // No checker for this platform: no cell is checked either.
  }
  try {
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith(".d.ts")) files.push(join(dir, entry.name));
      }
    };
    walk(dirname(createRequire(import.meta.url).resolve("@types/node/package.json")));
  } catch {
    // Without @types/node, Node's names are typed by nothing a cell's import could merge with.
  }
  return files;
}

/**
 * Reads the libraries' global names while the kernel has nothing else to do (the checker is warm,
 * no cell has imported yet): 3 MB to read and scan, 50–200 ms that the session's first import would
 * otherwise wait for. A file at a time, so that a request arriving meanwhile waits for one file at most.
 */
export async function readGlobalNames(): Promise<void> {
  const names = new Set<string>();
  for (const file of libraryFiles()) {
    if (libraryNames !== undefined) return;
    try {
      for (const name of globalDeclarations(await readFile(file, "utf8"))) names.add(name);
    } catch {
      // Unreadable: its names are not known, and their imports keep the shorter stand-in.
    }
  }
  libraryNames ??= names;
}

/** The names TypeScript's libraries and @types/node declare globally: read now if readGlobalNames has not finished. */
function librariesGlobalNames(): Set<string> {
  if (libraryNames !== undefined) return libraryNames;
  const names = new Set<string>();
  for (const file of libraryFiles()) {
    try {
      for (const name of globalDeclarations(readFileSync(file, "utf8"))) names.add(name);
    } catch {
      // As in readGlobalNames.
    }
  }
  libraryNames = names;
  return names;
}

/** Whether the checker's global scope has `name` before any cell declares it, in any meaning. */
export function isGlobalName(name: string): boolean {
  return GLOBAL_VALUE_NAMES.has(name) || librariesGlobalNames().has(name);
}
