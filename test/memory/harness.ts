// Runs notebook-like cells in a real `node --expose-gc` child (vitest's own
// process has no --expose-gc), through run-cells.mjs, against the built dist/.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const driver = fileURLToPath(new URL("./run-cells.mjs", import.meta.url));

/** Rebuilds when dist/src/memory is missing or older than src/memory. */
export function ensureBuilt(): void {
  const built = `${root}dist/src/memory/install.js`;
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const stale = readdirSync(`${root}src/memory`).some((f) => statSync(`${root}src/memory/${f}`).mtimeMs > builtAt);
  if (stale) {
    try {
      execFileSync(`${root}node_modules/.bin/tsc`, ["-p", "tsconfig.json"], { cwd: root, stdio: "pipe" });
    } catch {
      // other folders' type errors do not stop the emit; the check below decides
    }
  }
  if (!existsSync(built)) throw new Error("dist/src/memory was not built");
}

/** `var a, b; (async () => { body })()`: the shape the runtime gives every cell. */
export function cell(vars: string, body: string): string {
  return `${vars ? `var ${vars}; ` : ""}(async () => { ${body} })()`;
}

export interface CellsRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface RunOptions {
  repeat?: number;
  atexit?: boolean;
  /** Extra environment, e.g. EPHEMERON_REFCOUNT=check (the walk and the snapshot must agree). */
  env?: Record<string, string>;
}

export function runCells(cells: string[], options: RunOptions = {}): CellsRun {
  const run = runCellsOnce(cells, options);
  // Other engineers' builds rewrite dist/ concurrently: a half-written module is retried once.
  if (run.status !== 0 && /SyntaxError: The requested module|ERR_MODULE_NOT_FOUND/.test(run.stderr)) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    return runCellsOnce(cells, options);
  }
  return run;
}

function runCellsOnce(cells: string[], options: RunOptions): CellsRun {
  const result = spawnSync(process.execPath, ["--expose-gc", driver], {
    env: { ...process.env, ...options.env },
    input: JSON.stringify({ cells, repeat: options.repeat ?? 1, atexit: options.atexit ?? true }),
    encoding: "utf8",
    timeout: 120_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** stdout as lines, failing loudly if the child failed. */
export function lines(run: CellsRun): string[] {
  if (run.status !== 0) throw new Error(`child exited ${run.status}: ${run.stderr}`);
  return run.stdout.trimEnd().split("\n");
}
