// `import` in a cell, resolved as Node would resolve it from a file in the
// notebook's folder. A vm Script cannot call `import()` itself on Node 20
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so cells call this host function.

import { builtinModules, createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Conditions = string | { [condition: string]: Conditions } | Conditions[] | null;

export async function importFrom(specifier: string, cwd: string, options?: ImportCallOptions): Promise<unknown> {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return import(specifier);
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return import(specifier, options);
  const path = specifier.startsWith(".") || isAbsolute(specifier) ? resolve(cwd, specifier) : resolvePackage(specifier, cwd);
  return import(pathToFileURL(path).href, withJsonType(path, options));
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
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
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
    const error = new Error(`Cannot find module '${specifier}' from ${cwd}\nInstall it beside the notebook: npm install ${name}`);
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
