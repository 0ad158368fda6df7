// Where a JavaScript module a cell imports fails to parse. Node's module loader
// throws a SyntaxError whose stack names only its own internals: the file and
// line are kept in a hidden field that Node prints for an uncaught error alone,
// so a cell that imported a half-written `./helper.mjs` (or a module that
// imports one) saw "Unexpected end of input" and no file. Only on that error,
// the modules of the import are compiled again by `node --check`, the imported
// file first and then the local files it imports (found by pattern, as the
// checker finds a cell's TypeScript imports), until one fails with the same
// message: its place becomes the error's frame.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** `from "./x"`, `import "./x"`, `import("./x")`, `require("./x")`: relative and absolute specifiers only. */
const LOCAL_SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(["'])((?:\.{1,2})?\/[^"'\r\n]*)\1/g;

/** The relative and absolute specifiers a module's text imports, found by pattern. */
export function localSpecifiers(text: string): string[] {
  return [...text.matchAll(LOCAL_SPECIFIER)].map((match) => match[2]!);
}

/** At most this many files are compiled again: a failed import of a large local graph still answers soon. */
const MOST_FILES = 20;

/**
 * `error` with a frame at the place of its syntax error, when it is a SyntaxError Node's loader
 * threw for the import of `path` (no frame of it names a file) and a module of that import has it.
 */
export function withSyntaxErrorPlace(error: unknown, path: string): unknown {
  if (!(error instanceof Error) || error.name !== "SyntaxError" || error.stack === undefined) return error;
  if (/\((?:file:\/\/)?\/|at (?:file:\/\/)?\//.test(error.stack)) return error;
  const place = syntaxErrorPlace(path, error.message);
  if (place === undefined) return error;
  error.stack = `${error.name}: ${error.message}\n    at ${place}`;
  return error;
}

/** `file:line:column` of the first module of `path`'s local imports that Node cannot compile, with `message`. */
function syntaxErrorPlace(path: string, message: string): string | undefined {
  const queue = [path];
  const seen = new Set<string>();
  while (queue.length > 0 && seen.size < MOST_FILES) {
    const file = queue.shift()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const checked = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
    const lines = (checked.stderr ?? "").split("\n");
    // Node's report: `file:line`, the line's text, a caret under the place (none at the end of the input).
    if (checked.status !== 0 && lines.some((line) => line === `SyntaxError: ${message}`)) {
      const place = /^(.+:\d+)\s*$/.exec(lines[0] ?? "")?.[1];
      if (place !== undefined) return `${place}:${Math.max(0, (lines[2] ?? "").indexOf("^")) + 1}`;
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const specifier of localSpecifiers(text)) queue.push(resolve(dirname(file), specifier));
  }
  return undefined;
}
