// `jupyter nbconvert --execute` of a 5-cell notebook per kernel, wall time,
// the kernels taking turns. Kernelspecs go to a temp prefix (ephemeron through
// its own `install --prefix`, tslab and Deno as kernel.json files with their
// documented argv) found through JUPYTER_PATH; ipykernel's is Debian's python3.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGE_ROOT } from "../kernel/kernelspec.js";
import { codeFor, type KernelDef } from "./kernels.js";
import { killTree } from "./process-tree.js";
import { median, round } from "./stats.js";

export interface NbconvertResult {
  runs: number;
  wallMs: number[];
  medianWallMs: number | null;
  /** Every cell of the executed notebook has at least one output. */
  outputsComplete: boolean;
  errors: string[];
}

function kernelName(def: KernelDef): string {
  return def.id === "ipykernel" ? "python3" : `bench-${def.id}`;
}

function notebook(def: KernelDef): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: kernelName(def), display_name: def.label, language: def.language },
      language_info: { name: def.language },
    },
    cells: codeFor(def).notebook.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
  };
}

function installSpecs(prefix: string, defs: KernelDef[]): void {
  const kernels = join(prefix, "share", "jupyter", "kernels");
  mkdirSync(kernels, { recursive: true });
  for (const def of defs) {
    if (def.id === "ipykernel") continue;
    if (def.id === "ephemeron" || def.id === "ephemeron-no-typecheck") {
      const args = ["install", "--prefix", prefix, "--name", kernelName(def), ...(def.id === "ephemeron-no-typecheck" ? ["--no-typecheck"] : [])];
      const installed = spawnSync(process.execPath, [join(PACKAGE_ROOT, "dist", "kernel", "cli.js"), ...args], { encoding: "utf8", timeout: 30_000 });
      if (installed.status !== 0) throw new Error(`ephemeron install failed: ${installed.stderr}`);
      continue;
    }
    mkdirSync(join(kernels, kernelName(def)), { recursive: true });
    writeFileSync(
      join(kernels, kernelName(def), "kernel.json"),
      JSON.stringify({ argv: def.argv, display_name: def.label, language: def.language, env: def.env ?? {} }, null, 1),
    );
  }
}

function runNbconvert(input: string, outDir: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(
      "/usr/bin/jupyter",
      ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=60", "--ExecutePreprocessor.startup_timeout=60", "--output-dir", outDir, input],
      { env, detached: true, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.pid && killTree(child.pid), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (child.pid) killTree(child.pid);
      resolve({ ms, code, stderr });
    });
  });
}

export async function nbconvert(defs: KernelDef[], rounds: number, log: (line: string) => void): Promise<Record<string, NbconvertResult>> {
  const prefix = mkdtempSync(join(tmpdir(), "ephemeron-bench-jupyter-"));
  const results: Record<string, NbconvertResult> = {};
  try {
    installSpecs(prefix, defs);
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), DENO_NO_UPDATE_CHECK: "1" };
    for (const def of defs) {
      results[def.id] = { runs: 0, wallMs: [], medianWallMs: null, outputsComplete: false, errors: [] };
      writeFileSync(join(prefix, `${def.id}.ipynb`), JSON.stringify(notebook(def), null, 1));
    }
    for (let r = 0; r < rounds; r++) {
      for (const def of defs) {
        const result = results[def.id]!;
        const outDir = join(prefix, `out-${def.id}-${r}`);
        const run = await runNbconvert(join(prefix, `${def.id}.ipynb`), outDir, env, 90_000);
        if (run.code !== 0) {
          result.errors.push(`exit ${run.code}: ${run.stderr.trim().split("\n").slice(-2).join(" / ")}`);
          continue;
        }
        result.runs++;
        result.wallMs.push(round(run.ms));
        const executed = JSON.parse(readFileSync(join(outDir, `${def.id}.ipynb`), "utf8")) as { cells: { outputs?: unknown[] }[] };
        result.outputsComplete = executed.cells.every((cell) => (cell.outputs?.length ?? 0) > 0);
      }
      log(`  nbconvert round ${r + 1}/${rounds}: ${defs.map((d) => `${d.id} ${results[d.id]!.wallMs.at(-1)?.toFixed(0) ?? "failed"} ms`).join(", ")}`);
    }
  } catch (error) {
    for (const def of defs) results[def.id] ??= { runs: 0, wallMs: [], medianWallMs: null, outputsComplete: false, errors: [] };
    for (const result of Object.values(results)) result.errors.push((error as Error).message);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
  for (const result of Object.values(results)) result.medianWallMs = result.wallMs.length ? round(median(result.wallMs)) : null;
  return results;
}
