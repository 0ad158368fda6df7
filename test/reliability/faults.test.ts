// Faults in the runtime: a cell that exits, aborts, throws from a timer,
// leaves a rejection unhandled, recurses without end or exhausts the heap.
// Each is reported to the cell that caused it, in words a user understands;
// a runtime that died is replaced and says the state is gone; one that lived
// keeps every variable.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/messages.js";
import { alive, resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { errorOf, eventually, runtimePid } from "./probes.js";

const book = new FigureBook("faults");
afterAll(() => book.save());

const parentId = (message: Message) => (message.parent_header as { msg_id?: string }).msg_id;

/** Defines a marker variable, runs the faulty cell, then asks whether the marker survived. */
async function fault(k: TestKernel, code: string, marker: string) {
  await k.client.execute(`const ${marker} = "kept";`);
  const pidBefore = await runtimePid(k);
  const run = await k.client.execute(code);
  // Unchecked: after a lost runtime the checker rightly refuses the name (TS2304); this asks the runtime.
  const next = await k.client.execute(`// @ts-nocheck\ntypeof ${marker} === "undefined" ? "lost" : ${marker}`);
  const pidAfter = await runtimePid(k);
  return { ...run, state: resultText(next.iopub), nextStatus: next.reply.content.status, restarted: pidBefore !== pidAfter, pidBefore };
}

describe("faults in the runtime", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("reports process.exit(5) with its exit code, says the state is lost, and runs the next cell in a fresh runtime", async () => {
    const check = book.check("process.exit(5) is reported with its code; the next cell runs in a fresh runtime", "one cell");
    const { reply, iopub, state, nextStatus, restarted, pidBefore } = await fault(k, "process.exit(5)", "beforeExit");
    expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeDied" });
    const error = errorOf(iopub)!;
    expect(error.evalue).toContain("exited with code 5");
    expect(error.evalue).toMatch(/variable.*lost/);
    expect(nextStatus).toBe("ok");
    expect(state).toBe("'lost'");
    expect(restarted).toBe(true);
    expect(alive(pidBefore)).toBe(false);
    Object.assign(check.figures, { reported: error.evalue, "state after": "lost, as reported", "runtime replaced": restarted });
    check.held = true;
  });

  it("reports process.abort() with its signal", async () => {
    const check = book.check("process.abort() is reported with its signal; the next cell runs", "one cell");
    const { reply, iopub, state, nextStatus, restarted } = await fault(k, "process.abort()", "beforeAbort");
    expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeDied" });
    const error = errorOf(iopub)!;
    expect(error.evalue).toContain("SIGABRT");
    expect(nextStatus).toBe("ok");
    expect(state).toBe("'lost'");
    expect(restarted).toBe(true);
    Object.assign(check.figures, { reported: error.evalue, "runtime replaced": restarted });
    check.held = true;
  });

  it("reports an exception thrown in a timer under the cell that set the timer, and keeps the state", async () => {
    const check = book.check(
      "an uncaught throw in a timer is reported under the cell that set it; variables are kept",
      "a timer that throws while its cell still waits, and one that throws after its cell finished",
    );
    const during = await fault(
      k,
      'setTimeout(() => { throw new Error("thrown in a timer"); }, 10);\nawait new Promise((resolve) => setTimeout(resolve, 200));\n"waited"',
      "beforeTimer",
    );
    expect(during.reply.content.status).toBe("ok");
    const stderr = streamText(during.iopub, "stderr");
    expect(stderr).toContain("Uncaught exception");
    expect(stderr).toContain("thrown in a timer");
    expect(during.state).toBe("'kept'");
    expect(during.restarted).toBe(false);

    // After its cell went idle: the report still carries that cell's parent header.
    const starter = await k.client.execute('setTimeout(() => { throw new Error("late timer"); }, 300);\n"set"');
    const id = parentId(starter.reply);
    const late = () => k.client.unclaimed.find((m) => m.header.msg_type === "stream" && String(m.content.text).includes("late timer"));
    expect(await eventually(() => late() !== undefined)).toBe(true);
    expect(parentId(late()!)).toBe(id);
    const still = await k.client.execute('typeof beforeTimer === "undefined" ? "lost" : beforeTimer');
    expect(resultText(still.iopub)).toBe("'kept'");
    Object.assign(check.figures, { "reported as": "stderr stream: Uncaught exception + traceback", "state after": "kept", "late report under its own cell": true });
    check.held = true;
  });

  it("reports an unhandled promise rejection under its cell and keeps the state", async () => {
    const check = book.check("an unhandled promise rejection is reported under its cell; variables are kept", "one cell");
    const { reply, iopub, state, restarted } = await fault(
      k,
      'void Promise.reject(new TypeError("nobody caught me"));\nawait new Promise((resolve) => setTimeout(resolve, 100));\n"done"',
      "beforeRejection",
    );
    expect(reply.content.status).toBe("ok");
    const stderr = streamText(iopub, "stderr");
    expect(stderr).toContain("Unhandled promise rejection");
    expect(stderr).toContain("nobody caught me");
    expect(state).toBe("'kept'");
    expect(restarted).toBe(false);
    Object.assign(check.figures, { "reported as": "stderr stream: Unhandled promise rejection + traceback", "state after": "kept" });
    check.held = true;
  });

  it("keeps serving, and reporting uncaught errors, after a cell calls process.removeAllListeners()", async () => {
    // The runtime hears of each cell through process's "message" listener: without it, the next cell waited forever.
    const { reply, state, nextStatus, restarted } = await fault(k, 'process.removeAllListeners();\n"removed"', "beforeRemoval");
    expect(reply.content.status).toBe("ok");
    expect(nextStatus).toBe("ok");
    expect(state).toBe("'kept'");
    expect(restarted).toBe(false);
    // One event only, and a throw after it: reported under the cell as before, not fatal to the runtime.
    const { iopub, state: after, restarted: restartedAfter } = await fault(
      k,
      'process.removeAllListeners("uncaughtException");\nsetTimeout(() => { throw new Error("after the removal"); }, 0);\nawait new Promise((resolve) => setTimeout(resolve, 50));\n"waited"',
      "beforeThrow",
    );
    expect(streamText(iopub, "stderr")).toContain("Uncaught exception");
    expect(streamText(iopub, "stderr")).toContain("after the removal");
    expect(after).toBe("'kept'");
    expect(restartedAfter).toBe(false);
  }, 30_000);

  it("reports infinite recursion as a RangeError and keeps the state", async () => {
    const check = book.check("infinite recursion is a RangeError of its cell; variables are kept", "one cell");
    const { reply, iopub, state, restarted } = await fault(k, "function down(n: number): number { return down(n + 1) + 1; }\ndown(0)", "beforeRecursion");
    expect(reply.content).toMatchObject({ status: "error", ename: "RangeError" });
    expect(errorOf(iopub)!.evalue).toContain("Maximum call stack size exceeded");
    expect(state).toBe("'kept'");
    expect(restarted).toBe(false);
    Object.assign(check.figures, { reported: `RangeError: ${errorOf(iopub)!.evalue}`, "state after": "kept" });
    check.held = true;
  });
});

describe("a cell that exhausts the heap", () => {
  it("is reported as out of memory, with the state lost, and the next cell runs", async () => {
    const check = book.check(
      "exhausting a 64 MB heap is reported as out of memory; the next cell runs in a fresh runtime",
      "one cell that grows an array without end, runtime started with --max-old-space-size=64",
    );
    const k = await startKernel({ extraArgs: ["--runtime-flag=--max-old-space-size=64"] });
    try {
      const { reply, iopub, state, nextStatus, restarted } = await fault(
        k,
        "const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(1));",
        "beforeOom",
      );
      expect(reply.content).toMatchObject({ status: "error", ename: "RuntimeDied" });
      const error = errorOf(iopub)!;
      expect(error.evalue).toMatch(/out of memory/i);
      expect(error.evalue).toMatch(/variable.*lost/);
      expect(nextStatus).toBe("ok");
      expect(state).toBe("'lost'");
      expect(restarted).toBe(true);
      Object.assign(check.figures, { reported: error.evalue, "runtime replaced": restarted });
      check.held = true;
    } finally {
      await k.close();
    }
  }, 120_000);
});
