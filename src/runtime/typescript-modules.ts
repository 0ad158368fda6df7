// TypeScript files beside the notebook, imported from a cell
// (`import { area } from "./geometry.ts"`). Node 20 cannot load .ts itself, and
// the runtime loads no compiler: the kernel strips the types (with swc, as it
// does a cell's) and the module runs in the notebook's realm as a
// vm.SourceTextModule (the runtime runs with --experimental-vm-modules). Its
// imports resolve from its own folder; its frames in a traceback show its own
// lines. A file changed since it was loaded is loaded afresh by the next import
// of it, and so is a file that imports it (through any chain of TypeScript
// files): a helper edited beside the notebook is picked up by running the
// importing cell again (modules loaded before keep what they imported).

import { statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { asDynamicImport, importedNamespace } from "./imports.js";
import type { SourceMapV3, TranspiledFile } from "./protocol.js";

export interface TypeScriptModuleHost {
  /** The file's JavaScript, from the kernel. */
  transpile(path: string): Promise<TranspiledFile>;
  /** Keeps a module's source and map for tracebacks, under the URL its frames carry. */
  remember(url: string, label: string, source: string, map: SourceMapV3 | undefined): void;
  /** Whether `specifier`, imported from `dir`, is a TypeScript file: its path if so. */
  typeScriptPath(specifier: string, dir: string): string | undefined;
  /** Any import, resolved from `dir` as a cell's is (a TypeScript file comes back to `import` here): its namespace. */
  importFrom(specifier: string, dir: string, attributes: ImportAttributes | undefined): Promise<unknown>;
}

interface LoadedModule {
  mtimeMs: number;
  module: Promise<vm.SourceTextModule>;
  /** The TypeScript files it imports statically (as linked). */
  imports: Set<string>;
}

export class TypeScriptModules {
  private readonly loaded = new Map<string, LoadedModule>();

  constructor(
    private readonly context: vm.Context,
    private readonly host: TypeScriptModuleHost,
  ) {}

  /** The namespace of the module at `path`, linked and evaluated. */
  readonly import = async (path: string): Promise<unknown> => {
    const module = await this.module(path);
    if (module.status === "unlinked") await module.link(this.link);
    await module.evaluate();
    return module.namespace;
  };

  private module(path: string): Promise<vm.SourceTextModule> {
    const cached = this.loaded.get(path);
    if (cached !== undefined && this.current(path, new Set())) return cached.module;
    const module = this.create(path);
    const entry: LoadedModule = { mtimeMs: modifiedAt(path), module, imports: new Set() };
    this.loaded.set(path, entry);
    // A file that did not compile is tried again by the next import.
    module.catch(() => this.loaded.get(path) === entry && this.loaded.delete(path));
    return module;
  }

  /** Whether the module loaded from `path` is of the file as it is now, and so is each it imports. */
  private current(path: string, seen: Set<string>): boolean {
    if (seen.has(path)) return true;
    seen.add(path);
    const entry = this.loaded.get(path);
    if (entry === undefined || entry.mtimeMs !== modifiedAt(path)) return false;
    for (const imported of entry.imports) if (!this.current(imported, seen)) return false;
    return true;
  }

  private async create(path: string): Promise<vm.SourceTextModule> {
    const { source, code, map } = await this.host.transpile(path);
    const url = pathToFileURL(path).href;
    this.host.remember(url, `File ${path}`, source, map);
    const dir = dirname(path);
    return new vm.SourceTextModule(code, {
      identifier: url,
      context: this.context,
      initializeImportMeta: (meta) => {
        Object.assign(meta, { url, filename: path, dirname: dir });
      },
      importModuleDynamically: (async (specifier: string, _module: unknown, attributes?: ImportAttributes) =>
        asDynamicImport(await this.host.importFrom(specifier, dir, attributes), this.context)) as unknown as vm.SourceTextModuleOptions["importModuleDynamically"],
    });
  }

  /** A static import of a module: another TypeScript file's module itself (cycles link), else the imported namespace's exports. */
  private readonly link: vm.ModuleLinker = async (specifier, referencing, extra) => {
    const from = fileURLToPath(referencing.identifier);
    const dir = dirname(from);
    const path = this.host.typeScriptPath(specifier, dir);
    if (path !== undefined) {
      this.loaded.get(from)?.imports.add(path);
      return this.module(path);
    }
    // An import's attributes are strings (`with { type: "json" }`); Node's type allows missing ones.
    // A JSON or CommonJS module offers the names of its module.exports, as a cell's import has them.
    const namespace = importedNamespace((await this.host.importFrom(specifier, dir, extra.attributes as ImportAttributes)) as Record<string, unknown>) as Record<string, unknown>;
    const names = Object.keys(namespace);
    return new vm.SyntheticModule(
      names,
      function (this: vm.SyntheticModule) {
        for (const name of names) this.setExport(name, namespace[name]);
      },
      { context: this.context, identifier: `${specifier} (imported by ${referencing.identifier})` },
    );
  };
}

/** A file's modification time; -1 once it is gone (the next import reports it missing). */
function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
