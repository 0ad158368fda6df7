// `import` in a cell, resolved as Node would resolve it from a file in the
// notebook's folder. A vm Script cannot call `import()` itself on Node 20
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so cells call this host function.
// A TypeScript file goes to the loader main.ts sets (typescript-modules.ts).

import { builtinModules, createRequire } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { installHint, packageName } from "./missing-package.js";

type Conditions = string | { [condition: string]: Conditions } | Conditions[] | null;

let importTypeScript: ((path: string) => Promise<unknown>) | undefined;

/** Where a TypeScript file an import names is loaded. */
export function loadTypeScriptWith(loader: (path: string) => Promise<unknown>): void {
  importTypeScript = loader;
}

export async function importFrom(specifier: string, cwd: string, options?: ImportCallOptions): Promise<unknown> {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return import(specifier);
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return import(specifier, options);
  const local = typeScriptPath(specifier, cwd);
  if (local !== undefined && importTypeScript !== undefined) return importTypeScript(local);
  const path = isRelative(specifier) ? resolve(cwd, specifier) : resolvePackage(specifier, cwd);
  return import(pathToFileURL(path).href, withJsonType(path, options));
}

/**
 * A name a cell imports from a module's namespace. A CommonJS module whose exports Node cannot find
 * by reading it (`module.exports = _` with properties added later, as lodash does) still gives the
 * name from its `module.exports`, as TypeScript's esModuleInterop and bundlers give it; a name the
 * module has nowhere fails with Node's SyntaxError, not as `undefined`.
 */
export function importedName(namespace: Record<string, unknown>, name: string, specifier: string): unknown {
  if (name in namespace) return namespace[name];
  const exports = namespace.default;
  if (name !== "default" && (typeof exports === "object" || typeof exports === "function") && exports !== null && name in exports) {
    return (exports as Record<string, unknown>)[name];
  }
  throw new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}'`);
}

/** An `import()` as V8 hands it over (its attributes apart, none when it has none), resolved from `dir`. */
export function importWithAttributes(specifier: string, dir: string, attributes: ImportAttributes | undefined): Promise<unknown> {
  return importFrom(specifier, dir, attributes && Object.keys(attributes).length > 0 ? { with: attributes } : undefined);
}

const TYPESCRIPT_FILE = /(?<!\.d)\.m?ts$/;

/**
 * The TypeScript file a relative import names, as TypeScript's bundler resolution finds it: the
 * file itself (`./geometry.ts`), the .ts beside a .js that is not there (`./geometry.js`, how
 * code written for tsc names it), or an extensionless name (`./geometry`).
 */
export function typeScriptPath(specifier: string, dir: string): string | undefined {
  if (!isRelative(specifier)) return undefined;
  const path = resolve(dir, specifier);
  if (TYPESCRIPT_FILE.test(path)) return existsSync(path) ? path : undefined;
  if (existsSync(path) && !statSync(path).isDirectory()) return undefined;
  const candidates = /\.m?js$/.test(path) ? [path.replace(/js$/, "ts")] : [`${path}.ts`, `${path}.mts`, join(path, "index.ts")];
  return candidates.find((candidate) => existsSync(candidate));
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith(".") || isAbsolute(specifier);
}

/**
 * `import data from "./data.json"`: the checker types it (resolveJsonModule), and a bundler or
 * tsx would load it, but Node wants `with { type: "json" }`; a cell that leaves it out gets it.
 */
function withJsonType(path: string, options: ImportCallOptions | undefined): ImportCallOptions | undefined {
  if (!path.endsWith(".json") || options?.with?.type !== undefined) return options;
  return { ...options, with: { ...options?.with, type: "json" } };
}

/** Resolves a bare specifier from `cwd`, preferring the package's "import" entry (ESM-only packages). */
function resolvePackage(specifier: string, cwd: string): string {
  const name = packageName(specifier);
  const subpath = "." + specifier.slice(name.length);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const packageDir = join(dir, "node_modules", name);
    const manifestPath = join(packageDir, "package.json");
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: Conditions; module?: string };
      const target = manifest.exports === undefined ? undefined : exportTarget(manifest.exports, subpath);
      if (target !== undefined) return join(packageDir, target);
      break;
    }
    if (dirname(dir) === dir) break;
  }
  try {
    return createRequire(join(cwd, "[notebook]")).resolve(specifier);
  } catch {
    const error = new Error(`Cannot find module '${specifier}' from ${cwd}\n${installHint(specifier)}`);
    (error as Error & { code: string }).code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
}

function exportTarget(exports: Conditions, subpath: string): string | undefined {
  const isSubpathMap = typeof exports === "object" && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith("."));
  const entry = isSubpathMap ? (exports as { [key: string]: Conditions })[subpath] : subpath === "." ? exports : undefined;
  return entry === undefined ? undefined : pickCondition(entry);
}

function pickCondition(entry: Conditions): string | undefined {
  if (typeof entry === "string") return entry;
  if (entry === null) return undefined;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const found = pickCondition(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const condition of ["import", "node", "default"]) {
    if (condition in entry) {
      const found = pickCondition(entry[condition]!);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
