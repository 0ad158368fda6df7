// Every notebook in notebooks/ runs to the very outputs it was committed with:
// twice through `ephemeron run` and once through `jupyter nbconvert --execute`
// with the installed kernelspec. A notebook whose output changes from run to
// run (heap sizes, timings, ids that depend on unrelated work) fails here.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { joinSource } from "../../kernel/notebook.js";
import { ephemeron } from "../cli/ephemeron.js";
import { describeWithTool, installKernel, NBCONVERT, PYTHON, run, type InstalledKernel } from "../clients/jupyter.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Json[];
}

const NOTEBOOKS_DIR = join(PACKAGE_ROOT, "notebooks");
const NOTEBOOKS = readdirSync(NOTEBOOKS_DIR).filter((name) => name.endsWith(".ipynb")).sort();


/** One output as a comparable value: multiline text joined, timing metadata left out. */
function normalizeOutput(output: Json): Json {
  if (output === null || typeof output !== "object" || Array.isArray(output)) return output;
  const result: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(output)) {
    if (key === "text" && (typeof value === "string" || Array.isArray(value))) result[key] = joinSource(value as string | string[]);
    else if (key === "data" && value !== null && typeof value === "object" && !Array.isArray(value)) {
      result[key] = Object.fromEntries(Object.entries(value).map(([mime, data]) => [mime, Array.isArray(data) && data.every((d) => typeof d === "string") ? (data as string[]).join("") : data]));
    } else if (key === "metadata" && value !== null && typeof value === "object" && !Array.isArray(value)) {
      result[key] = Object.fromEntries(Object.entries(value).filter(([name]) => name !== "execution" && !name.endsWith("_time")));
    } else result[key] = value;
  }
  return result;
}

function codeCells(path: string): Cell[] {
  const notebook = JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] };
  return notebook.cells.filter((cell) => cell.cell_type === "code");
}

/** Lines of the first difference, with a little context, as `- expected` / `+ actual`. */
function lineDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  const from = Math.max(0, first - 2);
  const context = a.slice(from, first).map((line) => `  ${line}`);
  const removed = a.slice(first, first + 6).map((line) => `- ${line}`);
  const added = b.slice(first, first + 6).map((line) => `+ ${line}`);
  return [...context, ...removed, ...added].join("\n");
}

/** Undefined when every code cell's outputs match; otherwise a readable account of the first cell that differs. */
export function compareOutputs(committedPath: string, executedPath: string, how: string): string | undefined {
  const committed = codeCells(committedPath);
  const executed = codeCells(executedPath);
  if (committed.length !== executed.length) return `${how}: ${executed.length} code cells, but ${committed.length} committed`;
  for (let i = 0; i < committed.length; i++) {
    const expected = JSON.stringify((committed[i]!.outputs ?? []).map(normalizeOutput), null, 1);
    const actual = JSON.stringify((executed[i]!.outputs ?? []).map(normalizeOutput), null, 1);
    if (expected !== actual) {
      const source = joinSource(committed[i]!.source).split("\n").slice(0, 3).join("\n");
      return `${how}: code cell ${i + 1} differs from the committed outputs\n--- source:\n${source}\n--- diff (- committed, + now):\n${lineDiff(expected, actual)}`;
    }
  }
  return undefined;
}

describe("notebooks run by `ephemeron run` reproduce their committed outputs", () => {
  let dir: string;
  const failures: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ephemeron-notebooks-"));
    const paths = NOTEBOOKS.map((name) => join(NOTEBOOKS_DIR, name));
    const runs = await Promise.all([1, 2].map((n) => ephemeron(["run", ...paths, "--out", join(dir, `run-${n}`), "--quiet"], { timeoutMs: 400_000 })));
    runs.forEach((result, index) => {
      if (result.code !== 0) failures.push(`run ${index + 1} exited ${result.code}:\n${result.stderr}${result.stdout.slice(-2000)}`);
    });
  }, 420_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the notebooks (00 to 05)", () => {
    expect(NOTEBOOKS.length).toBeGreaterThanOrEqual(6);
  });

  it("runs every notebook to the end, twice", () => {
    expect(failures.join("\n")).toBe("");
  });

  for (const name of NOTEBOOKS) {
    for (const n of [1, 2]) {
      it(`${name}: run ${n} has the committed outputs`, () => {
        const difference = compareOutputs(join(NOTEBOOKS_DIR, name), join(dir, `run-${n}`, name), `${name}, ephemeron run ${n}`);
        expect(difference, difference).toBeUndefined();
      });
    }
  }
});

describeWithTool(NBCONVERT, "notebooks executed by `jupyter nbconvert --execute` reproduce their committed outputs", () => {
  let kernel: InstalledKernel;
  let dir: string;
  let result: { code: number | null; stderr: string };

  beforeAll(async () => {
    kernel = await installKernel();
    dir = mkdtempSync(join(tmpdir(), "ephemeron-nbconvert-notebooks-"));
    result = await run(
      PYTHON,
      ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.kernel_name=${kernel.name}`, "--ExecutePreprocessor.timeout=300", "--output-dir", dir, ...NOTEBOOKS.map((name) => join(NOTEBOOKS_DIR, name))],
      { env: kernel.env, timeoutMs: 400_000 },
    );
  }, 420_000);

  afterAll(() => {
    kernel?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("executes every notebook and exits 0", () => {
    expect(result.code, `nbconvert failed:\n${result.stderr}`).toBe(0);
  });

  for (const name of NOTEBOOKS) {
    it(`${name}: nbconvert has the committed outputs`, () => {
      const difference = compareOutputs(join(NOTEBOOKS_DIR, name), join(dir, name), `${name}, nbconvert --execute`);
      expect(difference, difference).toBeUndefined();
    });
  }
});
