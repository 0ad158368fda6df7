// `ephemeron run NOTEBOOK...`: executes notebooks through a fresh kernel and
// writes them with outputs, and refuses files that are not notebooks with a
// one-line message.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { CLI, ephemeron, lines, type CliResult } from "./ephemeron.js";
import { testJupyterDataDir } from "../helpers/kernel.js";
import { readNotebookFile, resultOf, stdoutOf, text, type CellJson as Cell, type NotebookJson as Notebook } from "../helpers/notebook-files.js";

function notebook(...sources: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "ephemeron", display_name: "TypeScript (ephemeron)", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "intro", metadata: {}, source: "A notebook written by the test." } as Cell,
      ...sources.map((source, index) => ({ cell_type: "code", id: `cell-${index + 1}`, metadata: {}, source, outputs: [], execution_count: null })),
    ],
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ephemeron-run-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Notebook): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 1));
  return path;
}

describe("ephemeron run on a notebook whose cells succeed", () => {
  let result: CliResult;
  let written: Notebook;

  beforeAll(async () => {
    const path = write("good.ipynb", notebook('console.log("hi from cell one");', "const n: number = 6;\nn * 7", "const greeting = `hello ${n}`;\ngreeting", "[__filename, import.meta.dirname === __dirname]"));
    result = await ephemeron(["run", path]);
    written = readNotebookFile(path);
  }, 90_000);

  it("exits 0", () => {
    expect(result.code, result.stderr).toBe(0);
  });

  it("writes the notebook back in place as valid nbformat 4 JSON, keeping the markdown cell", () => {
    expect(written.nbformat).toBe(4);
    expect(written.cells.map((cell) => cell.cell_type)).toEqual(["markdown", "code", "code", "code", "code"]);
    expect(text(written.cells[0]!.source)).toBe("A notebook written by the test.");
    expect((written.metadata.kernelspec as { name?: string }).name).toBe("ephemeron");
    expect((written.metadata.language_info as { name?: string }).name).toBe("typescript");
  });

  it("numbers the code cells 1, 2, 3, 4 in the order they ran", () => {
    expect(written.cells.filter((cell) => cell.cell_type === "code").map((cell) => cell.execution_count)).toEqual([1, 2, 3, 4]);
  });

  it("stores printed output and each cell's result under that cell", () => {
    const [, first, second, third] = written.cells;
    expect(stdoutOf(first!)).toBe("hi from cell one\n");
    expect(resultOf(second!)).toBe("42");
    expect(resultOf(third!)).toBe("'hello 6'");
    expect(second!.outputs!.find((o) => o.output_type === "execute_result")?.execution_count).toBe(2);
  });

  it("tells the cells which notebook they are in (__filename, import.meta)", () => {
    expect(resultOf(written.cells[4]!)).toBe(`[ '${join(dir, "good.ipynb")}', true ]`);
  });

  it("also prints the outputs to the terminal as they arrive", () => {
    expect(result.stdout).toContain("hi from cell one");
    expect(result.stdout).toContain("42");
  });
});

describe("ephemeron run --out DIR", () => {
  it("writes the executed notebook into DIR and leaves the input untouched", async () => {
    const input = notebook("1 + 1");
    const path = write("untouched.ipynb", input);
    const before = readFileSync(path, "utf8");
    const out = join(dir, "out");
    const result = await ephemeron(["run", path, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(resultOf(readNotebookFile(join(out, "untouched.ipynb")).cells[1]!)).toBe("2");
  }, 90_000);
});

describe("ephemeron run on a notebook with a failing cell", () => {
  const sources = ['console.log("before");', 'throw new Error("the second cell fails");', 'console.log("after");'];

  it("exits non-zero, records the error under the failing cell and does not run later cells", async () => {
    const path = write("failing.ipynb", notebook(...sources));
    const result = await ephemeron(["run", path]);
    expect(result.code).not.toBe(0);
    const cells = readNotebookFile(path).cells.filter((cell) => cell.cell_type === "code");
    expect(stdoutOf(cells[0]!)).toBe("before\n");
    const error = cells[1]!.outputs!.find((o) => o.output_type === "error");
    expect(error?.ename).toBe("Error");
    expect(error?.evalue).toBe("the second cell fails");
    expect(cells[2]!.outputs).toEqual([]);
    expect(cells[2]!.execution_count).toBeNull();
    expect(result.stdout).not.toContain("after");
    // The traceback printed to a pipe is plain text; the notebook keeps Jupyter's colours.
    expect(result.stderr).toContain("Error: the second cell fails");
    expect(result.stderr).not.toContain("\u001b[");
    expect((error as { traceback?: string[] } | undefined)?.traceback?.join("\n")).toContain("\u001b[");
  }, 90_000);

  it("with --allow-errors exits 0 and runs the cells after the failure", async () => {
    const path = write("allowed.ipynb", notebook(...sources));
    const result = await ephemeron(["run", path, "--allow-errors"]);
    expect(result.code, result.stderr).toBe(0);
    const cells = readNotebookFile(path).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[1]!.outputs!.map((o) => o.output_type)).toEqual(["error"]);
    expect(stdoutOf(cells[2]!)).toBe("after\n");
    expect(cells[2]!.execution_count).toBe(3);
  }, 90_000);
});

describe("ephemeron run's record of an error", () => {
  it("shows the failing line of the cell once, without the wrapper's frame or Node's internal frames", async () => {
    const path = write("traceback.ipynb", notebook("const a = 1;\nthrow new Error(\"boom\");\nconst b = 2;\nconst c = 3;"));
    await ephemeron(["run", path, "--allow-errors"]);
    const error = readNotebookFile(path).cells[1]!.outputs!.find((o) => o.output_type === "error") as { traceback: string[] } | undefined;
    const traceback = (error?.traceback ?? []).map((line) => line.replace(/\u001b\[[0-9;]*m/g, ""));
    expect(traceback.filter((line) => line.startsWith("Cell In[")), traceback.join("\n")).toEqual(["Cell In[1], line 2"]);
    expect(traceback.find((line) => line.startsWith("-->")), traceback.join("\n")).toBe("--> 2 throw new Error(\"boom\");");
    expect(traceback.filter((line) => /node:|^at /.test(line)), traceback.join("\n")).toEqual([]);
    expect(traceback.at(-1)).toBe("Error: boom");
  }, 90_000);
});

describe("ephemeron run on files that are not notebooks", () => {
  const expectOneLineError = (result: CliResult, path: string) => {
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr), result.stderr).toHaveLength(1);
    expect(result.stderr).toContain(path);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  };

  it("rejects a file that is not JSON with one line naming the file and no stack trace", async () => {
    const path = write("notes.ipynb", "this is not JSON {");
    const result = await ephemeron(["run", path]);
    expectOneLineError(result, path);
    expect(result.stderr).toMatch(/not JSON/);
    expect(readFileSync(path, "utf8")).toBe("this is not JSON {");
  }, 30_000);

  it("rejects a JSON file that is not nbformat 4 with one line naming the file", async () => {
    const path = write("old.ipynb", JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }));
    const result = await ephemeron(["run", path]);
    expectOneLineError(result, path);
    expect(result.stderr).toMatch(/nbformat/);
  }, 30_000);

  it("rejects a missing file with one line naming it", async () => {
    const path = join(dir, "does-not-exist.ipynb");
    const result = await ephemeron(["run", path]);
    expectOneLineError(result, path);
  }, 30_000);
});

describe("ephemeron run protects and explains what it writes", () => {
  it("refuses a notebook of another language, leaving it as it was", async () => {
    const python = { ...notebook("print(1)"), metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } } };
    const path = write("python.ipynb", python);
    const before = readFileSync(path, "utf8");
    const result = await ephemeron(["run", path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/python notebook/);
    expect(readFileSync(path, "utf8")).toBe(before);
    // One that says its language only in language_info (no kernelspec) is told where it says so.
    const infoOnly = write("python-info.ipynb", { ...notebook("print(1)"), metadata: { language_info: { name: "python" } } });
    const refused = await ephemeron(["run", infoOnly]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/a python notebook \(its language_info says so\)/);
  }, 30_000);

  it("runs a JavaScript notebook as TypeScript and says that it saves it with ephemeron's kernelspec", async () => {
    const js = { ...notebook("1 + 1"), metadata: { kernelspec: { name: "javascript", display_name: "JavaScript", language: "javascript" } } };
    const path = write("plain.ipynb", js);
    const result = await ephemeron(["run", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("a javascript notebook, run as TypeScript");
    expect((readNotebookFile(path).metadata.kernelspec as { name?: string }).name).toBe("ephemeron");
  }, 60_000);

  it("clears the outputs of the cells a failure kept from running, and prints the failing cell's error to stderr even with --quiet", async () => {
    const stale = notebook('throw new Error("stops here");', '"not run"');
    const later = stale.cells[2]!;
    later.outputs = [{ output_type: "stream", name: "stdout", text: "STALE OUTPUT\n" }];
    later.execution_count = 7;
    const path = write("stale.ipynb", stale);
    const result = await ephemeron(["run", path, "--quiet"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("stops here");
    expect(result.stderr).toContain("cell 1 failed");
    const cells = readNotebookFile(path).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[1]!.outputs).toEqual([]);
    expect(cells[1]!.execution_count).toBeNull();
  }, 90_000);

  it("writes back valid nbformat for cells written without outputs or metadata", async () => {
    const loose = notebook("1 + 1");
    delete (loose.cells[1] as Partial<Cell>).outputs;
    delete (loose.cells[1] as Partial<Cell>).metadata;
    const path = write("loose.ipynb", loose);
    const result = await ephemeron(["run", path]);
    expect(result.code, result.stderr).toBe(0);
    const cell = readNotebookFile(path).cells[1]!;
    expect(cell.metadata).toEqual({});
    expect(resultOf(cell)).toBe("2");
  }, 90_000);

  it("writes back a notebook that names no nbformat_minor and gives its cells no ids with an id on every cell, as nbformat 4.5 requires", async () => {
    const bare = { nbformat: 4, metadata: {}, cells: [{ cell_type: "markdown", source: "# bare" }, { cell_type: "code", source: "1 + 1" }, { cell_type: "code", id: "kept-id", source: "2 + 2" }] };
    const path = write("bare.ipynb", JSON.stringify(bare));
    const result = await ephemeron(["run", path]);
    expect(result.code, result.stderr).toBe(0);
    const written = readNotebookFile(path);
    expect(written.nbformat_minor).toBeGreaterThanOrEqual(5);
    const ids = written.cells.map((cell) => (cell as { id?: unknown }).id);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe("kept-id");
    expect(resultOf(written.cells[1]!)).toBe("2");
  }, 90_000);

  it("stops a cell blocked in a child process at --timeout with its KeyboardInterrupt as its output (as nbclient), says why, and runs the next cell", async () => {
    const path = write("blocked.ipynb", notebook('import { execSync } from "node:child_process";\nexecSync("sleep 600");', '"next"'));
    // 4 s, not less: the cell after it gets the same bound, and a loaded machine can take seconds to check and run it.
    const result = await ephemeron(["run", path, "--timeout", "4", "--allow-errors"], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain("ran longer than 4 s");
    const cells = readNotebookFile(path).cells.filter((cell) => cell.cell_type === "code");
    const errors = cells[0]!.outputs!.filter((o) => o.output_type === "error") as unknown as { ename: string; traceback: string[] }[];
    expect(errors.map((e) => e.ename)).toEqual(["KeyboardInterrupt"]);
    expect(cells[0]!.execution_count).toBe(1);
    expect(resultOf(cells[1]!)).toBe("'next'");
  }, 90_000);

  it("refuses an empty --out (a script's unset \"$OUT\") instead of overwriting the notebook in place, and an option where its folder should be", async () => {
    const path = write("not-overwritten.ipynb", notebook('"ran"'));
    const before = readFileSync(path, "utf8");
    for (const args of [["--out", ""], ["--out="], ["--out", "  "], ["--out", "--html"]]) {
      const result = await ephemeron(["run", path, ...args]);
      expect(result.code, JSON.stringify(args)).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain("--out");
      expect(result.stdout).toBe("");
      expect(readFileSync(path, "utf8")).toBe(before);
    }
  }, 90_000);

  it("refuses a value given to a switch (--allow-errors=false would allow errors and exit 0), running nothing", async () => {
    const path = write("switch-values.ipynb", notebook('throw new Error("must fail the run")'));
    const before = readFileSync(path, "utf8");
    for (const flag of ["--allow-errors=false", "--quiet=no", "--html=0"]) {
      const result = await ephemeron(["run", path, flag]);
      expect(result.code, flag).toBe(2);
      expect(lines(result.stderr), flag).toHaveLength(1);
      expect(result.stderr).toContain(flag.split("=")[0]);
      expect(result.stdout).toBe("");
      expect(readFileSync(path, "utf8")).toBe(before);
    }
  }, 60_000);

  it("goes on past a cell tagged raises-exception, as nbclient does, and exits 0", async () => {
    const taught = notebook('throw new Error("as the lesson says")', '"after"');
    taught.cells[1]!.metadata = { tags: ["raises-exception"] };
    const path = write("taught.ipynb", taught);
    const result = await ephemeron(["run", path], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const cells = readNotebookFile(path).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[0]!.outputs!.some((o) => o.output_type === "error")).toBe(true);
    expect(resultOf(cells[1]!)).toBe("'after'");
  }, 90_000);

  it("reports a notebook whose only failing cell is tagged raises-exception as a success with --allow-errors too (before: ✗ a cell failed, where without --allow-errors it said ✓)", async () => {
    const taught = notebook('throw new Error("as the lesson says")', '"after"');
    taught.cells[1]!.metadata = { tags: ["raises-exception"] };
    const path = write("taught-allowed.ipynb", taught);
    for (const extra of [[], ["--allow-errors"]]) {
      const result = await ephemeron(["run", path, "--out", join(dir, "taught-allowed"), "--quiet", ...extra], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("✓");
      expect(result.stdout).not.toContain("a cell failed");
      expect(result.stderr).toContain("failed, as its raises-exception tag says it may");
    }
  }, 90_000);

  it("refuses two notebooks of the same name written into one --out folder", async () => {
    const result = await ephemeron(["run", join(dir, "a", "same.ipynb"), join(dir, "b", "same.ipynb"), "--out", join(dir, "together")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("same.ipynb");
  }, 30_000);
});

describe("ephemeron run when things go wrong around the cells", () => {
  it("ends the run with a DeadKernelError, exit 1, when the kernel process dies during a cell, instead of waiting forever", async () => {
    const path = write("kernel-dies.ipynb", notebook("console.log(1)", 'process.kill(process.ppid, "SIGKILL")', "3"));
    const result = await ephemeron(["run", path, "--out", join(dir, "died"), "--timeout", "5"], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(1);
    const cells = readNotebookFile(join(dir, "died", "kernel-dies.ipynb")).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[1]!.outputs?.[0]).toMatchObject({ output_type: "error", ename: "DeadKernelError" });
    expect(cells[2]!.outputs).toEqual([]);
  }, 90_000);

  it("stopped by SIGINT, SIGTERM or SIGHUP during a cell, stops its kernel and its runtime and exits 128 + the signal's number, as a shell reports it", async () => {
    const path = write("stopped.ipynb", notebook('console.log("pids", process.ppid, process.pid); await new Promise(() => {})'));
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
      const child = spawn(process.execPath, [CLI, "run", path, "--out", join(dir, "stopped")], { env: { ...process.env, JUPYTER_DATA_DIR: testJupyterDataDir() }, stdio: ["ignore", "pipe", "pipe"] });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
      let stdout = "";
      const pids = await new Promise<number[]>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const found = /pids (\d+) (\d+)/.exec(stdout);
          if (found) resolve([Number(found[1]), Number(found[2])]);
        });
        void exited.then(() => reject(new Error(`ephemeron run ended before the cell printed:\n${stdout}`)));
      });
      child.kill(signal);
      expect(await exited, signal).toBe(code);
      const alive = () =>
        pids.filter((pid) => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        });
      await expect.poll(alive, { message: `${signal}: the kernel and runtime are gone`, timeout: 10_000 }).toEqual([]);
    }
  }, 90_000);

  it("creates --out before any cell runs, and says so at once when it cannot", async () => {
    const blocker = write("a-file", "not a folder");
    const result = await ephemeron(["run", write("never-runs.ipynb", notebook('console.log("ran")')), "--out", join(blocker, "inside")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot write into --out");
    expect(result.stdout).not.toContain("ran");
  }, 30_000);
});

describe("ephemeron run with its output piped into a reader that stops early (| head)", () => {
  it("still runs every cell and writes the notebook, without an EPIPE crash", async () => {
    const path = write("piped.ipynb", notebook('for (let i = 0; i < 5000; i++) console.log("line " + i);', '"second cell ran"'));
    const out = join(dir, "piped");
    const child = spawn(process.execPath, [CLI, "run", path, "--out", out], { env: { ...process.env, JUPYTER_DATA_DIR: testJupyterDataDir() }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    // As `head -1` does: read a little, then close the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
    expect(stderr).not.toContain("EPIPE");
    expect(code, stderr).toBe(0);
    const cells = readNotebookFile(join(out, "piped.ipynb")).cells.filter((cell) => cell.cell_type === "code");
    expect(stdoutOf(cells[0]!)).toContain("line 4999\n");
    expect(resultOf(cells[1]!)).toBe("'second cell ran'");
  }, 90_000);
});

describe("ephemeron run --verbose", () => {
  it("shows the kernel's log (where an InternalError says the whole error is), which a run without it keeps quiet", async () => {
    const path = write("kernel-log.ipynb", notebook("process.exit(3)"));
    const quiet = await ephemeron(["run", path, "--out", join(dir, "log-quiet")]);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).not.toContain("[ephemeron supervisor]");
    const verbose = await ephemeron(["run", path, "--out", join(dir, "log-verbose"), "--verbose"]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\[ephemeron supervisor\] INFO runtime \d+ exited with code 3/);
    expect((await ephemeron(["run", "--help"])).stdout).toContain("--verbose");
  }, 90_000);
});

describe("ephemeron run, as nbclient runs a notebook", () => {
  it("applies a later cell's update of a display to the earlier cell that showed it, and keeps the notebook's own TypeScript kernelspec", async () => {
    const book = notebook('const handle = await display("first", { displayId: "progress" });', 'await handle!.update("second");');
    book.metadata = { kernelspec: { name: "ts-other", display_name: "TypeScript (other)", language: "typescript" } };
    const out = join(dir, "displays");
    const result = await ephemeron(["run", write("display-update.ipynb", book), "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const written = readNotebookFile(join(out, "display-update.ipynb"));
    const first = written.cells.filter((cell) => cell.cell_type === "code")[0]!;
    expect(first.outputs?.[0]).toMatchObject({ output_type: "display_data", data: { "text/plain": ["'second'"] } });
    expect(written.metadata.kernelspec).toMatchObject({ name: "ts-other", display_name: "TypeScript (other)" });
  }, 90_000);

  it("sends no empty cell (it keeps no execution count) and takes --out=DIR", async () => {
    const path = write("with-empty.ipynb", notebook("   ", '"first"'));
    const out = join(dir, "equals-out");
    const result = await ephemeron(["run", path, `--out=${out}`]);
    expect(result.code, result.stderr).toBe(0);
    const cells = readNotebookFile(join(out, "with-empty.ipynb")).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[0]!.execution_count).toBeNull();
    expect(cells[1]!.execution_count).toBe(1);
    expect(resultOf(cells[1]!)).toBe("'first'");
  }, 90_000);

  it("skips a cell tagged skip-execution, as nbclient does: not sent, its recorded output kept, the next cell numbered 1", async () => {
    const book = notebook('const answer = await input("name? ");', '"next"');
    const skipped = book.cells[1] as Cell;
    skipped.metadata = { tags: ["skip-execution"] };
    skipped.execution_count = 4;
    skipped.outputs = [{ output_type: "stream", name: "stdout", text: "recorded by hand\n" }];
    const out = join(dir, "skip-execution");
    const result = await ephemeron(["run", write("skip-execution.ipynb", book), "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const cells = readNotebookFile(join(out, "skip-execution.ipynb")).cells.filter((cell) => cell.cell_type === "code");
    expect(cells[0]!.execution_count).toBe(4);
    expect(stdoutOf(cells[0]!)).toBe("recorded by hand\n");
    expect(cells[1]!.execution_count).toBe(1);
    expect(resultOf(cells[1]!)).toBe("'next'");
  }, 90_000);
});
