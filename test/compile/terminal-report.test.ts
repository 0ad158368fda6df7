// swc writes its syntax reports in colour, with box drawing, when the process's output is a
// terminal: a kernel started from one (jupyter console, or a notebook server started in a shell)
// inherits it. The kernel must read the report's place alike either way, and show no colour codes.
// Run for real under a pseudo-terminal (util-linux's `script`, in every Debian).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const dist = (path: string) => pathToFileURL(join(import.meta.dirname, "..", "..", "dist", "src", "compile", path)).href;
const dir = mkdtempSync(join(tmpdir(), "ephemeron-tty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` (an ES module's text) with its stdout and stderr a terminal; the last line it prints. */
function underTerminal(body: string): string {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, body);
  const output = execFileSync("script", ["-q", "-e", "-c", `${process.execPath} ${file}`, "/dev/null"], { encoding: "utf8", env: { ...process.env, TERM: "xterm-256color", NO_COLOR: "" } });
  return output.trim().split(/\r?\n/).at(-1)!;
}

describe("a syntax error's report when the kernel's output is a terminal", () => {
  it("is read for its place and message, without colour codes", () => {
    const printed = underTerminal(
      `import { transformCell } from ${JSON.stringify(dist("transform.js"))};\n` +
        `try { transformCell("let a = 1\\nconst = 5", { filename: "c.ts" }); } catch (e) { process.stdout.write(JSON.stringify({ message: e.message, line: e.line, column: e.column }) + "\\n"); }\n`,
    );
    const report = JSON.parse(printed) as { message: string; line: number; column: number };
    expect(report).toEqual({ message: "Unexpected token `=`. Expected yield, an identifier, [ or {", line: 2, column: 7 });
  });

  it("still tells is_complete an invalid cell from an unfinished one", () => {
    const printed = underTerminal(
      `import { isComplete } from ${JSON.stringify(dist("is-complete.js"))};\n` +
        `process.stdout.write(JSON.stringify([(await isComplete("const = 5")).status, (await isComplete("function f() {")).status]) + "\\n");\n`,
    );
    expect(JSON.parse(printed)).toEqual(["invalid", "incomplete"]);
  });
});
