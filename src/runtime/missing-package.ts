// What a cell that imports a package nobody installed is told, in the same
// words whether the runtime's import fails (imports.ts) or the checker refuses
// the cell first (TS2307, cell-project.ts): the package's name and the command
// that installs it where the notebook's imports resolve from.

import { builtinModules } from "node:module";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";

/** The package a bare specifier names: `lodash/fp` → `lodash`, `@scope/pkg/sub` → `@scope/pkg`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** A specifier npm could install: not relative, not a path, not a URL or `node:`, not one of Node's own modules. */
export function isPackageSpecifier(specifier: string): boolean {
  if (specifier.startsWith(".") || isAbsolute(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return false;
  return !builtinModules.includes(packageName(specifier)) && specifier !== "";
}

/** Whether `name` is in a node_modules folder that Node would search from `dir`. */
export function isInstalled(name: string, dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules", name, "package.json"))) return true;
    if (dirname(at) === at) return false;
  }
}

export function installHint(specifier: string): string {
  return `Install it beside the notebook: npm install ${packageName(specifier)}`;
}
