// jupyter_kernel_test (Debian's python3-jupyter-kernel-test) drives the
// installed kernel through jupyter_client and checks every reply against the
// protocol's schema: test/clients/kernel_test_ephemeron.py fills its
// KernelTests for TypeScript. Each of its tests is one test here, so a
// failure names the protocol feature that broke.

import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { describeWithTool, installKernel, KERNEL_TEST, PYTHON, run, type InstalledKernel, type RunResult } from "./jupyter.js";

type Outcome = "ok" | "FAIL" | "ERROR" | "skipped" | "expected failure" | "unexpected success";

interface UnittestReport {
  /** Each test method's outcome; a test with a failing subtest is FAIL or ERROR. */
  outcomes: Map<string, Outcome>;
  /** The failure text unittest printed for each failing test (all its subtests). */
  failures: Map<string, string>;
  ran: number | undefined;
}

/** Reads `python -m unittest -v` output (stderr). */
export function parseUnittest(output: string): UnittestReport {
  const outcomes = new Map<string, Outcome>();
  const failures = new Map<string, string>();
  // "test_x (module.Class.test_x) ... ok" — a subtest failure prints the
  // method's line with no status, then an indented line per failing subtest.
  const line = /^\s*(test_\w+) \([\w.]+\)(?: \((.*?)\))? \.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)?\s*$/gm;
  for (const match of output.matchAll(line)) {
    const [, name, , status] = match;
    if (!status) continue;
    const outcome = (status.startsWith("skipped") ? "skipped" : status) as Outcome;
    const previous = outcomes.get(name!);
    if (previous === "FAIL" || previous === "ERROR") continue;
    outcomes.set(name!, outcome);
  }
  // "FAIL: test_x (module.Class.test_x) (subtest)\n---...\n<text>" blocks.
  const blocks = output.split(/^={70}$/m).slice(1);
  for (const block of blocks) {
    const header = /^\s*(FAIL|ERROR): (test_\w+) \([\w.]+\)(.*)$/m.exec(block);
    if (!header) continue;
    const [, kind, name, subtest] = header;
    const text = block.split(/^-{70}$/m)[1]?.trim() ?? block.trim();
    failures.set(name!, [failures.get(name!), `${kind}${subtest}\n${text}`].filter(Boolean).join("\n\n"));
    if (outcomes.get(name!) !== "ERROR") outcomes.set(name!, kind as Outcome);
  }
  const ran = /^Ran (\d+) tests? in/m.exec(output);
  return { outcomes, failures, ran: ran ? Number(ran[1]) : undefined };
}

/** Drops the noise Python 3.11 prints when jupyter_client's objects are collected at exit. */
function withoutShutdownNoise(output: string): string {
  return output.replace(/^Exception ignored in: .*\n(?:(?:Traceback|  |TypeError: 'NoneType').*\n)*/gm, "");
}

describeWithTool(KERNEL_TEST, "jupyter_kernel_test", () => {
  let kernel: InstalledKernel;
  let result: RunResult;
  let report: UnittestReport;

  beforeAll(async () => {
    kernel = await installKernel();
    result = await run(PYTHON, ["-m", "unittest", "-v", "kernel_test_ephemeron.py"], {
      // From its own folder: `test/` as a module path would be Python's stdlib `test` package.
      cwd: join(PACKAGE_ROOT, "test", "clients"),
      env: { ...kernel.env, EPHEMERON_KERNEL_NAME: kernel.name },
      timeoutMs: 240_000,
    });
    report = parseUnittest(result.stderr);
  }, 260_000);

  afterAll(() => kernel?.remove());

  const expectPassed = (test: string) => {
    const outcome = report.outcomes.get(test);
    const detail = report.failures.get(test) ?? (outcome === undefined ? `${test} did not report; unittest said:\n${withoutShutdownNoise(result.stderr)}` : "");
    expect(outcome, `${test}: ${outcome ?? "no result"}\n${detail}`).toBe("ok");
  };

  it("runs the whole suite against the installed kernelspec", () => {
    expect(report.ran, withoutShutdownNoise(result.stderr)).toBe(12);
    const failed = [...report.outcomes].filter(([, outcome]) => outcome === "FAIL" || outcome === "ERROR").map(([name, outcome]) => `${name}: ${outcome}`);
    expect(failed, failed.map((entry) => report.failures.get(entry.split(":")[0]!) ?? "").join("\n\n")).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("answers kernel_info as TypeScript with the .ts file extension", () => expectPassed("test_kernel_info"));
  it("streams console.log to stdout", () => expectPassed("test_execute_stdout"));
  it("streams console.error to stderr", () => expectPassed("test_execute_stderr"));
  it("publishes a cell's last expression as execute_result text/plain without colour codes", () => expectPassed("test_execute_result"));
  it("reports a thrown error as one error message and an error reply", () => expectPassed("test_error"));
  it("completes member names after a dot", () => expectPassed("test_completion"));
  it("tells complete, incomplete and invalid code apart for the console", () => expectPassed("test_is_complete"));
  it("answers history requests for tail, range and search", () => expectPassed("test_history"));
  it("shows the signature and documentation of Math.max on inspect", () => expectPassed("test_inspect"));
  it("publishes display.html and display.markdown as display_data", () => expectPassed("test_display_data"));
  it("publishes clear_output when a cell calls clearOutput()", () => expectPassed("test_clear_output"));
  it("pages the documentation of Math.max? through a payload", () => expectPassed("test_pager"));
});
