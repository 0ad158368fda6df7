// `jupyter nbconvert --execute` runs the first-steps notebook through the
// installed kernelspec, as a teacher would to print a handout.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { describeWithTool, installKernel, NBCONVERT, PYTHON, run, type InstalledKernel, type RunResult } from "./jupyter.js";
import { readNotebookFile, resultOf, stdoutOf, text, type CellJson as Cell } from "../helpers/notebook-files.js";


describeWithTool(NBCONVERT, "jupyter nbconvert --execute", () => {
  let kernel: InstalledKernel;
  let outDir: string;
  let result: RunResult;
  let cells: Cell[] = [];

  beforeAll(async () => {
    kernel = await installKernel();
    outDir = mkdtempSync(join(tmpdir(), "ephemeron-nbconvert-"));
    result = await run(
      PYTHON,
      ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.kernel_name=${kernel.name}`, "--ExecutePreprocessor.timeout=120", join(PACKAGE_ROOT, "notebooks", "00-first-steps.ipynb"), "--output-dir", outDir],
      { env: kernel.env, timeoutMs: 180_000 },
    );
    if (result.code === 0) {
      cells = readNotebookFile(join(outDir, "00-first-steps.ipynb")).cells.filter((cell) => cell.cell_type === "code");
    }
  }, 200_000);

  afterAll(() => {
    kernel?.remove();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const cellWith = (snippet: string): Cell => {
    const cell = cells.find((c) => text(c.source).includes(snippet));
    if (!cell) throw new Error(`no code cell containing ${JSON.stringify(snippet)} in the executed notebook`);
    return cell;
  };

  it("executes the first-steps notebook with the installed kernel and exits 0", () => {
    expect(result.code, `nbconvert failed:\n${result.stderr}`).toBe(0);
    expect(result.stderr).toMatch(/Writing \d+ bytes to .*00-first-steps\.ipynb/);
  });

  it("numbers every code cell in order", () => {
    expect(cells.length).toBe(6);
    expect(cells.map((cell) => cell.execution_count)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("saves console.log output as the cell's stdout stream", () => {
    expect(stdoutOf(cellWith('console.log("Hello from TypeScript!")'))).toBe("Hello from TypeScript!\nline 1 of 3\nline 2 of 3\nline 3 of 3\n");
  });

  it("saves the last expression's value as the cell's execute_result", () => {
    expect(resultOf(cellWith("squares"))).toBe("[ 1, 4, 9, 16 ]");
    expect(resultOf(cellWith("average([3, 4, 8])"))).toBe("5");
  });

  it("prints a caught error's message and records no error output", () => {
    expect(stdoutOf(cellWith("withdraw(20, 50)"))).toBe("caught: cannot withdraw 50 from a balance of 20\n");
    const errors = cells.flatMap((cell) => (cell.outputs ?? []).filter((o) => o.output_type === "error"));
    expect(errors, JSON.stringify(errors)).toEqual([]);
  });

  it("keeps a class declared in one cell usable in a later cell", () => {
    expect(stdoutOf(cellWith('new Counter("clicks")'))).toBe("clicks: 7\n");
  });
});

describeWithTool(NBCONVERT, "jupyter nbconvert --execute --to html (a handout)", () => {
  let kernel: InstalledKernel;
  let dir: string;
  let html = "";
  let result: RunResult;

  beforeAll(async () => {
    kernel = await installKernel();
    dir = mkdtempSync(join(tmpdir(), "ephemeron-nbconvert-html-"));
    const source = 'display.json({ answer: 42, tags: ["a"] })';
    writeFileSync(
      join(dir, "displays.ipynb"),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: kernel.name, display_name: "TypeScript (ephemeron)", language: "typescript" } },
        cells: [{ cell_type: "code", id: "json", metadata: {}, execution_count: null, outputs: [], source }],
      }),
    );
    result = await run(PYTHON, ["-m", "jupyter", "nbconvert", "--to", "html", "--execute", `--ExecutePreprocessor.kernel_name=${kernel.name}`, join(dir, "displays.ipynb")], { env: kernel.env, cwd: dir, timeoutMs: 120_000 });
    if (result.code === 0) html = readFileSync(join(dir, "displays.html"), "utf8");
  }, 150_000);

  afterAll(() => {
    kernel?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints display.json's data in the handout, which has no JSON renderer (before: <JSON>)", () => {
    expect(result.code, result.stderr).toBe(0);
    // The output area's text, as a reader of the page sees it.
    const shown = html.replace(/<[^>]*>/g, "").replace(/&#34;|&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    expect(shown).not.toContain("<JSON>");
    expect(shown).toContain('"answer": 42');
  });
});
