// `import` in a cell, resolved as Node would resolve it from a file in the
// notebook's folder. A vm Script cannot call `import()` itself on Node 20
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so cells call this host function.
// A TypeScript file goes to the loader main.ts sets (typescript-modules.ts).

import { builtinModules, createRequire } from "node:module";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { installHint, packageName } from "./missing-package.js";
import { linkDeepEqualityFor } from "./cross-realm-equality.js";
import { withSyntaxErrorPlace } from "./syntax-error-place.js";

type Conditions = string | { [condition: string]: Conditions } | Conditions[] | null;

let importTypeScript: ((path: string) => Promise<unknown>) | undefined;

/** Where a TypeScript file an import names is loaded. */
export function loadTypeScriptWith(loader: (path: string) => Promise<unknown>): void {
  importTypeScript = loader;
}

/** Modules the runtime gives itself, by name, before any lookup: `ephemeron`, the notebook's own API (main.ts). */
const providedModules = new Map<string, object>();

/** Makes `import … from specifier` and `require(specifier)` give these exports, as an ES module namespace does. */
export function provideModule(specifier: string, exports: Record<string, unknown>): void {
  const namespace = Object.assign(Object.create(null) as object, exports);
  Object.defineProperty(namespace, Symbol.toStringTag, { value: "Module" });
  providedModules.set(specifier, Object.freeze(namespace));
}

export function providedModule(specifier: string): object | undefined {
  return providedModules.get(specifier);
}

export async function importFrom(specifier: string, cwd: string, options?: ImportCallOptions): Promise<unknown> {
  const provided = providedModules.get(specifier);
  if (provided) return provided;
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) {
    linkDeepEqualityFor(specifier);
    return ofModuleExports(await import(specifier));
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return import(specifier, options);
  const local = typeScriptPath(specifier, cwd);
  if (local !== undefined && importTypeScript !== undefined) return importTypeScript(local);
  const path = isRelative(specifier) ? resolve(cwd, specifier) : resolvePackage(specifier, cwd);
  let namespace: unknown;
  try {
    namespace = await import(pathToFileURL(path).href, withJsonType(path, options));
  } catch (error) {
    throw importedFromFolder(withSyntaxErrorPlace(error, path), cwd);
  }
  return isModuleExports(path) ? ofModuleExports(namespace) : namespace;
}

/** This file, which Node names as the importer when a module it imports is missing. */
const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * Node's "Cannot find module '/nb/data.mjs' imported from …/imports.js" with the notebook's folder,
 * whence the cell's import was resolved, in place of the runtime's own file, which the cell never named.
 */
function importedFromFolder(error: unknown, folder: string): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") return error;
  const named = ` imported from ${THIS_FILE}`;
  if (!error.message.endsWith(named)) return error;
  const message = `${error.message.slice(0, -named.length)} imported from ${folder}`;
  if (error.stack !== undefined) error.stack = error.stack.replace(error.message, message);
  error.message = message;
  return error;
}

/**
 * Namespaces Node made around one `module.exports` value (a CommonJS file, a JSON file, a built-in),
 * whose `default` is that value: what TypeScript types `import * as` and `import x = require` of
 * such a module by, and an ES module's namespace is not.
 */
const moduleExportsNamespaces = new WeakSet<object>();

function ofModuleExports(namespace: unknown): unknown {
  if (typeof namespace === "object" && namespace !== null) moduleExportsNamespaces.add(namespace);
  return namespace;
}

/** Whether Node loads the file at `path` as one `module.exports` value: JSON, a native addon, or CommonJS by its extension or its package's `type`. */
function isModuleExports(path: string): boolean {
  if (/\.(json|cjs|node)$/.test(path)) return true;
  if (/\.mjs$/.test(path)) return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type !== "module";
      } catch {
        return true; // Node would fail on it first
      }
    }
    if (dirname(dir) === dir) return true;
  }
}

/** The names `exports` has of its own that the namespace lacks: Node found none of them by reading the file (or it is JSON). */
function unlisted(namespace: Record<string, unknown>): { exports: Record<string, unknown>; names: string[] } | undefined {
  if (!moduleExportsNamespaces.has(namespace)) return undefined;
  const exports = namespace.default;
  if ((typeof exports !== "object" && typeof exports !== "function") || exports === null) return undefined;
  const names = Object.keys(exports).filter((name) => !(name in namespace));
  return names.length > 0 ? { exports: exports as Record<string, unknown>, names } : undefined;
}

/**
 * `import * as ns from "m"`. Of an ES module, its namespace. Of a module that is one `module.exports`
 * (`import * as _ from "lodash"`, `import * as data from "./data.json"`), that value's own names as
 * well, as TypeScript's esModuleInterop (`__importStar`) and bundlers give them and the checker
 * types them: Node's namespace of a JSON file has only `default`, and of CommonJS only the names it
 * found by reading the file (none of lodash's).
 */
export function importedNamespace(namespace: Record<string, unknown>): unknown {
  const missing = unlisted(namespace);
  if (missing === undefined) return namespace;
  const merged: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of missing.names) merged[name] = missing.exports[name];
  return Object.assign(merged, namespace);
}

/** The module a dynamic import of a namespace gave, per namespace (and the context it was made in). */
const dynamicModules = new WeakMap<object, { context: vm.Context; module: Promise<vm.SyntheticModule> }>();

/**
 * What a dynamic `import()` in a cell or a TypeScript module resolves to, given the namespace Node
 * made: that namespace; or, for a module that is one `module.exports` whose names it lacks (JSON,
 * CommonJS Node cannot read), a module of `context` with the names importedNamespace gives, as
 * the checker types `(await import("./data.json")).title`. (V8 takes a module, not a plain object.)
 */
export function asDynamicImport(namespace: unknown, context: vm.Context): unknown {
  if (typeof namespace !== "object" || namespace === null) return namespace;
  const merged = importedNamespace(namespace as Record<string, unknown>) as Record<string, unknown>;
  if (merged === namespace) return namespace;
  const made = dynamicModules.get(namespace);
  if (made?.context === context) return made.module;
  const names = Object.keys(merged);
  const synthetic = new vm.SyntheticModule(names, function (this: vm.SyntheticModule) {
    for (const name of names) this.setExport(name, merged[name]);
  }, { context, identifier: "module.exports of a dynamic import" });
  const module = synthetic.link(() => Promise.reject(new Error("a synthetic module imports nothing"))).then(() => synthetic.evaluate()).then(() => synthetic);
  dynamicModules.set(namespace, { context, module });
  return module;
}

/**
 * `import x = require("m")`: a module that is one `module.exports` gives that value, as Node's
 * `require` does; an ES module (a TypeScript file beside the notebook, an ESM-only package) its
 * namespace, as TypeScript types it and Node 22's `require` of ES modules gives it (not its default export).
 */
export function requiredModule(namespace: Record<string, unknown>): unknown {
  return moduleExportsNamespaces.has(namespace) && "default" in namespace ? namespace.default : namespace;
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
