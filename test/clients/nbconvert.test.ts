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
        cells: [
          { cell_type: "code", id: "json", metadata: {}, execution_count: null, outputs: [], source },
          { cell_type: "code", id: "file", metadata: {}, execution_count: null, outputs: [], source: "console.log(__filename, __dirname === process.cwd())" },
        ],
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

  it("names the notebook's folder in __dirname, but not the notebook in __filename: nbclient does not say which notebook it runs (the README said both name it)", () => {
    expect(result.code, result.stderr).toBe(0);
    expect(html).toContain(`${join(dir, "[notebook]")} true`);
  });
});

describeWithTool(NBCONVERT, "jupyter nbconvert --execute of cells that end the runtime or never finish", () => {
  let kernel: InstalledKernel;
  let dir: string;
  let result: RunResult;
  let cells: Cell[] = [];
  const sources = [
    "let kept = 1;",
    "process.exit(3)",
    'console.log("after exit")',
    // Grows until the 64 MB heap the kernelspec gives the runtime is full.
    "const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(7));",
    'console.log("after out of memory")',
    "await new Promise(() => {})",
    'console.log("after timeout")',
  ];

  beforeAll(async () => {
    kernel = await installKernel();
    // The kernelspec as installed, with a small heap for the runtime: out of memory in a second, not after 4 GB.
    const specFile = join(kernel.prefix, "share", "jupyter", "kernels", kernel.name, "kernel.json");
    const spec = JSON.parse(readFileSync(specFile, "utf8")) as { argv: string[] };
    spec.argv.push("--runtime-flag=--max-old-space-size=64");
    writeFileSync(specFile, JSON.stringify(spec));
    dir = mkdtempSync(join(tmpdir(), "ephemeron-nbconvert-faults-"));
    writeFileSync(
      join(dir, "faults.ipynb"),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: kernel.name, display_name: "TypeScript (ephemeron)", language: "typescript" } },
        cells: sources.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, execution_count: null, outputs: [], source })),
      }),
    );
    result = await run(
      PYTHON,
      ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors", `--ExecutePreprocessor.kernel_name=${kernel.name}`, "--ExecutePreprocessor.timeout=5", "--ExecutePreprocessor.interrupt_on_timeout=True", "--output", "executed", join(dir, "faults.ipynb")],
      { env: kernel.env, cwd: dir, timeoutMs: 150_000 },
    );
    if (result.code === 0) cells = readNotebookFile(join(dir, "executed.ipynb")).cells;
  }, 180_000);

  afterAll(() => {
    kernel?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const outputsOf = (index: number) => {
    expect(result.code, result.stderr).toBe(0);
    return cells[index]?.outputs ?? [];
  };

  it("saves process.exit as the cell's RuntimeDied error, and the next cell runs", () => {
    const outputs = outputsOf(1);
    expect(outputs.map((o) => [o.output_type, o.ename])).toEqual([["error", "RuntimeDied"]]);
    expect(outputs[0]!.evalue).toMatch(/exited with code 3/);
    expect(stdoutOf(cells[2]!)).toBe("after exit\n");
  });

  it("saves running out of memory as one RuntimeDied error that says so once, with no empty stderr output before it (before: a stream of one newline, and the cause said twice)", () => {
    const outputs = outputsOf(3);
    expect(outputs.map((o) => [o.output_type, o.ename])).toEqual([["error", "RuntimeDied"]]);
    const error = outputs[0]! as { evalue?: string; traceback?: string[] };
    expect(error.evalue).toMatch(/ran out of memory/);
    expect(error.traceback!.join("\n").match(/heap out of memory/g)).toHaveLength(1);
    expect(stdoutOf(cells[4]!)).toBe("after out of memory\n");
  });

  it("interrupts a cell that never finishes at nbconvert's timeout (interrupt_on_timeout), and the next cell runs", () => {
    const outputs = outputsOf(5);
    expect(outputs.map((o) => [o.output_type, o.ename])).toEqual([["error", "KeyboardInterrupt"]]);
    expect(stdoutOf(cells[6]!)).toBe("after timeout\n");
  });
});
