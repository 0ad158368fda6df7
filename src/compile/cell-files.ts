// The checker's virtual folder: a tsconfig.json and a pool of cell files, kept
// in memory and served to tsgo through its readFile/fileExists callbacks. The
// files are named as if they were in the notebook's folder, so that a cell's
// imports resolve from there as Node resolves them at run time (`./helper.js`
// beside the notebook, packages in any node_modules above it); they are never
// written. tsgo reads everything else from the disk itself.
//
// The pool's files are listed in the tsconfig from the start and are reported
// to tsgo as `changed` (1 ms per update, measured in
// notes/typescript7-checker.md; a file reported as `created` makes tsgo resolve
// every module again); when the pool runs out it doubles.
//
// No TypeScript here: the folder exists before TypeScript's API has loaded, so
// that tsgo can start loading the project at once (checker.ts).

import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { RELATIVE_MODULE } from "./cell-source.js";
import type { TsgoFileSystem } from "./tsgo-channel.js";

const INITIAL_POOL = 32;

/**
 * @types/node's declarations that the runtime makes untrue, served corrected: `gc` is always
 * ephemeron's collector, never V8's optional --expose-gc function. As declared, `gc.` completed to
 * nothing, `const g = gc; g()` was "possibly undefined", its help said to pass --expose-gc, and
 * `gc()` was typed by V8's `(minor?: boolean): void` before ephemeron's `(): Promise<number>`.
 */
const LIBRARY_PATCHES: { file: RegExp; replace: [RegExp, string][] }[] = [
  {
    file: /\/@types\/node\/globals\.d\.ts$/,
    replace: [
      [/(?:\/\*\*\s*\*\s*Enable this API with the `--expose-gc` CLI flag\.\s*\*\/\s*)?declare var gc: NodeJS\.GCFunction \| undefined;/, "declare var gc: NodeJS.GCFunction;"],
      // Whole, or not at all: a patch that matched half a declaration would break the file for every cell.
      [/interface GCFunction \{\s*\(minor\?: boolean\): void;\s*\(options: NodeJS\.GCOptions & \{ execution: "async" \}\): Promise<void>;\s*\(options: NodeJS\.GCOptions\): void;\s*\}/, "interface GCFunction {}"],
    ],
  },
];

/** A library file's text with its patches applied, or undefined (read it as it is) when it has none that fit. */
function patchedLibrary(file: string): string | undefined {
  const patch = LIBRARY_PATCHES.find((p) => p.file.test(file));
  if (patch === undefined) return undefined;
  try {
    const text = readFileSync(file, "utf8");
    const patched = patch.replace.reduce((result, [from, to]) => result.replace(from, to), text);
    return patched === text ? undefined : patched;
  } catch {
    return undefined;
  }
}

export class CellFiles {
  /** What the names of these files start with: `.ephemeron-PID-THREAD-` in the notebook's folder. */
  readonly prefix: string;
  readonly tsconfig: string;
  /** The file of the cell being checked; when that cell is accepted, its file becomes the cell's and a free one the scratch. */
  scratch: string;
  /** Free files whose text the checker still has with names in it: emptied at the next update. */
  readonly toEmpty = new Set<string>();
  /** Files to report with the next update whatever happens (the tsconfig, after the pool grew). */
  pendingChanges: string[] = [];
  private readonly texts = new Map<string, string>();
  /**
   * The notebook's own files tsgo read from disk (`./geometry.ts` beside it: nothing of ours, nothing
   * under node_modules), with their modification time then: an edited one is reported to tsgo, so
   * that cells are checked against the types it has now, as the runtime loads it again.
   */
  private readonly localSources = new Map<string, number>();
  /**
   * The kernel's own files tsgo reads (its declaration files, its package.json for their module
   * format): they do not change during a session, and stat-ing them at every check and sync cost ~0.1 ms a cell.
   */
  private readonly shipped: Set<string>;
  private readonly free: string[] = [];
  private poolSize = 0;
  /** The files holding the `initial` texts, in their order. */
  readonly initialFiles: string[];

  /** `initial`: texts that are in the project from its first load (the runtime's values, taken as the first cells). */
  constructor(
    cwd: string,
    private readonly globalsDts: string[],
    initial: string[] = [],
  ) {
    this.prefix = path.join(cwd, `.ephemeron-${process.pid}-${threadId}-`);
    this.shipped = shippedFiles(globalsDts);
    this.tsconfig = `${this.prefix}tsconfig.json`;
    this.scratch = `${this.prefix}scratch.ts`;
    this.texts.set(this.scratch, "");
    this.growPool(INITIAL_POOL);
    this.initialFiles = initial.map((text) => {
      const file = this.takeFree();
      this.texts.set(file, text);
      return file;
    });
  }

  get(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** Sets a file's text; false if it had that text already. */
  set(file: string, text: string): boolean {
    if (this.texts.get(file) === text) return false;
    this.texts.set(file, text);
    this.toEmpty.delete(file);
    return true;
  }

  takeFree(): string {
    if (this.free.length === 0) this.growPool(this.poolSize);
    const file = this.free.pop() as string;
    this.toEmpty.delete(file);
    return file;
  }

  /** A cell file nobody needs any more; `emptyIt` if the checker still has names in it. */
  release(file: string, emptyIt: boolean): void {
    if (emptyIt) this.toEmpty.add(file);
    this.free.push(file);
  }

  /**
   * Only `readFile` and `fileExists` are served, and only for these files (`undefined` sends tsgo
   * to the disk): it asks the other callbacks about every path it looks at (about 800 more calls
   * while it loads the libraries and @types/node, 60 ms of the warm-up). `fileExists` it does
   * need: without it, each update looks for every cell file on disk (p50 of a check 2.9 → 5 ms
   * 400 cells in).
   */
  fileSystem(): TsgoFileSystem {
    return {
      readFile: (p) => {
        if (p === this.scratch) this.takeScratchListener()?.();
        const text = this.texts.get(p);
        if (text !== undefined) return text;
        if (!p.includes("/node_modules/") && !this.shipped.has(p)) this.localSources.set(p, modified(p));
        return patchedLibrary(p);
      },
      fileExists: (p) => (this.texts.has(p) ? true : undefined),
    };
  }

  private scratchListener: (() => void) | undefined;

  /** `listener` runs once, when tsgo next reads the scratch file (or when replaced by another). */
  onScratchRead(listener: (() => void) | undefined): void {
    this.takeScratchListener()?.();
    this.scratchListener = listener;
  }

  private takeScratchListener(): (() => void) | undefined {
    const listener = this.scratchListener;
    this.scratchListener = undefined;
    return listener;
  }

  /** Whether any of the notebook's own files tsgo read was edited (or removed) since; nothing is taken as read. */
  sourcesEdited(): boolean {
    for (const [file, then] of this.localSources) if (modified(file) !== then) return true;
    return false;
  }

  /** The notebook's own files edited (or removed) since tsgo read them; each is then taken as read again. */
  editedSources(): string[] {
    const edited: string[] = [];
    for (const [file, then] of this.localSources) {
      const now = modified(file);
      if (now === then) continue;
      this.localSources.set(file, now);
      edited.push(file);
    }
    return edited;
  }

  private growPool(count: number): void {
    for (let i = 0; i < count; i++) {
      const file = `${this.prefix}cell-${this.poolSize + i}.ts`;
      this.texts.set(file, "");
      this.free.unshift(file);
    }
    this.poolSize += count;
    const cellFiles = [...this.texts.keys()].filter((f) => f.endsWith(".ts"));
    const require = createRequire(import.meta.url);
    const nodeTypes = path.dirname(require.resolve("@types/node/package.json"));
    this.texts.set(
      this.tsconfig,
      JSON.stringify({
        compilerOptions: {
          strict: true,
          // What Node 20 runs: ES2023, and of ES2024 the regular expression's v flag, isWellFormed and
          // Atomics.waitAsync (not Object.groupBy, Promise.withResolvers or ArrayBuffer's transfer).
          target: "es2024",
          lib: ["es2023", "es2024.string", "es2024.regexp", "es2024.sharedmemory"],
          module: "esnext",
          moduleResolution: "bundler",
          esModuleInterop: true,
          allowSyntheticDefaultImports: true,
          resolveJsonModule: true,
          allowJs: false,
          // Each cell, and each TypeScript file beside the notebook, is transpiled alone (swc), as tsc's
          // isolatedModules assumes: a member of a `declare const enum` has no object to read at run time
          // (tsc would inline it), and `export { SomeInterface } from` names an export Node cannot find.
          isolatedModules: true,
          // `import("./helper.ts")` in a cell: the runtime loads TypeScript files beside the notebook.
          allowImportingTsExtensions: true,
          // The stand-in of `import * as geo from "./geo.js"` imports it from an ambient module, which cannot name a relative path.
          paths: { [`${RELATIVE_MODULE}*`]: ["./*"] },
          types: ["node"],
          typeRoots: [path.dirname(nodeTypes)],
          skipLibCheck: true,
          noEmit: true,
        },
        files: [...cellFiles, ...this.globalsDts],
      }),
    );
    // Not the first pool: the project must read its tsconfig again and pick up the new files.
    if (this.poolSize > count) this.pendingChanges.push(this.tsconfig);
  }
}

/** The kernel's declaration files and the package.json of the package that holds them (the nearest above them). */
function shippedFiles(globalsDts: readonly string[]): Set<string> {
  const shipped = new Set(globalsDts);
  const dirs = new Set(globalsDts.map((file) => path.dirname(file)));
  for (let dir of dirs) {
    for (;;) {
      const manifest = path.join(dir, "package.json");
      if (existsSync(manifest)) {
        shipped.add(manifest);
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return shipped;
}

/** A file's modification time in ms, or -1 if it is not there. */
function modified(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
