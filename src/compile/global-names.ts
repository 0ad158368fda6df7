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

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsgoPath } from "./tsgo-channel.js";

const require = createRequire(import.meta.url);

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

/**
 * The names as the build found them (`npm run build` runs this file): reading and scanning the
 * libraries' 3 MB on the kernel's thread took 50–200 ms and left the kernel's heap 3–4 MB larger
 * for good. Tagged with the libraries' versions: after an upgrade without a build, a scan.
 */
const NAMES_FILE = fileURLToPath(new URL("./global-names.json", import.meta.url));

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
    walk(dirname(require.resolve("@types/node/package.json")));
  } catch {
    // Without @types/node, Node's names are typed by nothing a cell's import could merge with.
  }
  return files;
}

/** Which libraries the names are of: the installed versions of typescript and @types/node. */
function librariesVersions(): string {
  return ["typescript", "@types/node"]
    .map((name) => {
      try {
        return `${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version?: string }).version ?? "?"}`;
      } catch {
        return `${name}@none`;
      }
    })
    .join(" ");
}

export function scanLibraries(): Set<string> {
  const names = new Set<string>();
  for (const file of libraryFiles()) {
    try {
      for (const name of globalDeclarations(readFileSync(file, "utf8"))) names.add(name);
    } catch {
      // Unreadable: its names are not known, and their imports keep the shorter stand-in.
    }
  }
  return names;
}

/** The names TypeScript's libraries and @types/node declare globally: the build's, or a scan's where it has none for these libraries. */
function librariesGlobalNames(): Set<string> {
  if (libraryNames !== undefined) return libraryNames;
  try {
    const built = JSON.parse(readFileSync(NAMES_FILE, "utf8")) as { libraries?: unknown; names?: unknown };
    if (built.libraries === librariesVersions() && Array.isArray(built.names)) libraryNames = new Set(built.names as string[]);
  } catch {
    // Not built: scanned below.
  }
  libraryNames ??= scanLibraries();
  return libraryNames;
}

/** Writes the names for librariesGlobalNames to find (the build's last step). */
export function writeGlobalNames(): void {
  writeFileSync(NAMES_FILE, `${JSON.stringify({ libraries: librariesVersions(), names: [...scanLibraries()].sort() })}\n`);
}

/** Whether the checker's global scope has `name` before any cell declares it, in any meaning. */
export function isGlobalName(name: string): boolean {
  return GLOBAL_VALUE_NAMES.has(name) || librariesGlobalNames().has(name);
}

// `node dist/src/compile/global-names.js`: the build writes the names file.
if (process.argv[1] === fileURLToPath(import.meta.url)) writeGlobalNames();
