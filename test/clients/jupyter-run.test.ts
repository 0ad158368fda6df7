// `jupyter run --kernel NAME file.ts` (jupyter_client's RunApp) runs a file
// through the installed kernel. It appends the file's name to the kernel's
// command line, as jupyter_client's console apps append what they do not
// know; ipykernel takes such arguments and ignores them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithTool, installKernel, PYTHON, run, type InstalledKernel } from "./jupyter.js";

const RUN = { name: "jupyter run", modules: ["jupyter_client", "jupyter_client.runapp"], apt: ["jupyter-client"] };

describeWithTool(RUN, "jupyter run", () => {
  let kernel: InstalledKernel;
  let dir: string;
  beforeAll(async () => {
    kernel = await installKernel();
    dir = mkdtempSync(join(tmpdir(), "ephemeron-jupyter-run-"));
  });
  afterAll(() => {
    kernel?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a TypeScript file through the kernel and prints its output (the kernel starts although its command line ends with the file's name)", async () => {
    const file = join(dir, "script.ts");
    writeFileSync(file, 'const answer: number = 6 * 7;\nconsole.log("answer is", answer);\n');
    const result = await run(PYTHON, ["-m", "jupyter", "run", `--kernel=${kernel.name}`, file], { env: kernel.env, cwd: dir, timeoutMs: 60_000 });
    expect(result.stdout, result.stderr).toContain("answer is 42");
    expect(result.code, result.stderr).toBe(0);
  }, 90_000);

  it("prints what display.markdown, display.json and display.latex show as text, where a terminal cannot render them (before: <Markdown>, <JSON>, <LaTeX>)", async () => {
    const file = join(dir, "displays.ts");
    writeFileSync(file, 'display.markdown("# Results\\n*all* good");\nconsole.log();\ndisplay.json({ answer: 42, tags: ["a"] });\nconsole.log();\ndisplay.latex("$x^2$");\nconsole.log();\n');
    const result = await run(PYTHON, ["-m", "jupyter", "run", `--kernel=${kernel.name}`, file], { env: kernel.env, cwd: dir, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/<Markdown>|<JSON>|<LaTeX>/);
    expect(result.stdout).toContain("# Results\n*all* good");
    expect(result.stdout).toContain('{\n  "answer": 42,\n  "tags": [\n    "a"\n  ]\n}');
    expect(result.stdout).toContain("$x^2$");
  }, 90_000);

  it("shows a script that runs out of memory or exits as the cell's error only, without the kernel's log or V8's crash report in the terminal (before: 30 lines of native stack trace and a WARN line)", async () => {
    // The installed kernelspec with a small heap for the runtime: out of memory in a second, not after 4 GB.
    const specFile = join(kernel.prefix, "share", "jupyter", "kernels", kernel.name, "kernel.json");
    const original = readFileSync(specFile, "utf8");
    const spec = JSON.parse(original) as { argv: string[] };
    writeFileSync(specFile, JSON.stringify({ ...spec, argv: [...spec.argv, "--runtime-flag=--max-old-space-size=64"] }));
    try {
      for (const [name, source, said] of [
        ["hoard.ts", "const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(7));\n", /ran out of memory/],
        ["exits.ts", "process.exit(4);\n", /exited with code 4/],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, source);
        const result = await run(PYTHON, ["-m", "jupyter", "run", `--kernel=${kernel.name}`, file], { env: kernel.env, cwd: dir, timeoutMs: 60_000 });
        const terminal = `${result.stdout}\n${result.stderr}`;
        expect(terminal).toMatch(said);
        expect(terminal).not.toContain("Native stack trace");
        expect(terminal).not.toContain("Last few GCs");
        expect(terminal).not.toMatch(/\[ephemeron supervisor\]/);
      }
    } finally {
      writeFileSync(specFile, original);
    }
  }, 150_000);
});
