// Debian's `jupyter console` against the installed kernel, driven through a
// pseudo-terminal by pexpect (console_driver.py): what a person typing sees.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { installKernel, PYTHON, run, type InstalledKernel } from "../clients/jupyter.js";
import { describeWithTool } from "../clients/jupyter.js";

const CONSOLE = { name: "jupyter console + pexpect", modules: ["jupyter_console", "pexpect"], apt: ["jupyter-console", "python3-pexpect"] };

interface Transcript {
  first?: string;
  continuations?: number;
  class?: string;
  counter?: string;
  input?: string;
  input_error?: string;
  eof_lines?: string;
  eof_input?: string;
  eof_error?: string;
  exited?: boolean;
  error?: string;
  tail?: string;
}

describeWithTool(CONSOLE, "jupyter console", () => {
  let installed: InstalledKernel | undefined;
  let transcript: Transcript = {};
  beforeAll(async () => {
    installed = await installKernel();
    const result = await run(PYTHON, [join(PACKAGE_ROOT, "test", "real-clients", "console_driver.py"), installed.name], { env: installed.env, timeoutMs: 150_000 });
    try {
      transcript = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Transcript;
    } catch {
      transcript = { error: `the driver printed no transcript (exit ${result.code})`, tail: `${result.stdout}\n${result.stderr}` };
    }
    // What the console showed, kept for a look when a test below fails.
    mkdirSync(join(PACKAGE_ROOT, "out", "real-clients"), { recursive: true });
    writeFileSync(join(PACKAGE_ROOT, "out", "real-clients", "console-transcript.json"), JSON.stringify(transcript, null, 2));
    if (transcript.error || transcript.input_error) process.stderr.write(`console driver: ${JSON.stringify(transcript, null, 2)}\n${result.stderr}\n`);
  }, 180_000);
  afterAll(() => installed?.remove());

  it("holds a multi-line class typed line by line until it is complete, then runs it", () => {
    expect(transcript.error).toBeUndefined();
    // Each of the first five lines got a continuation prompt instead of running.
    expect(transcript.continuations).toBe(5);
    // The whole class ran as In [2], without an error.
    expect(transcript.class).toMatch(/In \[2\]: class Counter \{/);
    expect(transcript.class).not.toMatch(/Error/);
    expect(transcript.counter).toMatch(/Out\[3\]: 2/);
  });

  it("answers await input() at the console's own prompt", () => {
    expect(transcript.error).toBeUndefined();
    expect(transcript.input_error).toBeUndefined();
    expect(transcript.input).toMatch(/Your name\? /);
    expect(transcript.input).toMatch(/Out\[4\]: 'hello Ada'/);
  });

  it("ends a cell's reading of process.stdin with Ctrl-D, as end of file in a terminal (before: Ctrl-D came as the line \"\\x04\" and the reading went on)", () => {
    expect(transcript.eof_error).toBeUndefined();
    expect(transcript.error).toBeUndefined();
    expect(transcript.eof_lines).toMatch(/Out\[5\]: 'read 2 lines'/);
  });

  it("makes await input() throw EOFError on Ctrl-D, as Python's input() under ipykernel (before: it returned \"\\x04\")", () => {
    expect(transcript.eof_error).toBeUndefined();
    expect(transcript.error).toBeUndefined();
    expect(transcript.eof_input).toMatch(/EOFError: EOF when reading a line/);
  });

  it("leaves with Ctrl-D at an empty prompt", () => {
    expect(transcript.error).toBeUndefined();
    expect(transcript.exited).toBe(true);
  });
});

interface InterruptTranscript {
  interrupted?: string;
  seconds?: number;
  after?: string;
  exited?: boolean;
  error?: string;
  tail?: string;
}

describeWithTool(CONSOLE, "jupyter console --simple-prompt and Ctrl-C", () => {
  let installed: InstalledKernel | undefined;
  let transcript: InterruptTranscript = {};
  beforeAll(async () => {
    installed = await installKernel();
    const result = await run(PYTHON, [join(PACKAGE_ROOT, "test", "real-clients", "console_interrupt_driver.py"), installed.name], { env: installed.env, timeoutMs: 120_000 });
    try {
      transcript = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as InterruptTranscript;
    } catch {
      transcript = { error: `the driver printed no transcript (exit ${result.code})`, tail: `${result.stdout}\n${result.stderr}` };
    }
    if (transcript.error) process.stderr.write(`console interrupt driver: ${JSON.stringify(transcript, null, 2)}\n${result.stderr}\n`);
  }, 150_000);
  afterAll(() => installed?.remove());

  it("stops `while (true) {}` with Ctrl-C, shows KeyboardInterrupt, and the next line sees the variables set before it", () => {
    expect(transcript.error).toBeUndefined();
    expect(transcript.interrupted).toMatch(/KeyboardInterrupt: the cell was interrupted/);
    expect(transcript.seconds).toBeLessThan(5);
    expect(transcript.after).toMatch(/Out\[3\]: true/);
    expect(transcript.exited).toBe(true);
  });
});
