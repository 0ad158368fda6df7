// shutdown_request over the real protocol: with restart true or false the
// kernel replies, exits with code 0 and leaves no runtime process behind.

import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alive, resultText, startKernel } from "../helpers/kernel.js";
import { sleep } from "../../kernel/client.js";

/** The kernel's type checker (tsgo --api), found among its children in /proc. */
function checkerPid(kernelPid: number): number | undefined {
  for (const task of readdirSync(`/proc/${kernelPid}/task`)) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${kernelPid}/task/${task}/children`, "utf8").trim().split(/\s+/);
    } catch {
      continue; // the thread ended
    }
    for (const child of children.filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0").includes("--api")) return Number(child);
      } catch {
        // the child ended
      }
    }
  }
  return undefined;
}

async function waitUntilGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

describe("shutting the kernel down", () => {
  for (const restart of [true, false]) {
    it(`shutdown_request with restart ${restart} replies restart ${restart}, exits 0 and leaves no runtime`, async () => {
      const k = await startKernel();
      try {
        const { iopub } = await k.client.execute("process.pid");
        const runtimePid = Number(resultText(iopub));
        expect(runtimePid).toBeGreaterThan(0);
        expect(runtimePid).not.toBe(k.kernel.process.pid);
        expect(alive(runtimePid)).toBe(true);
        const started = Date.now();
        const { reply } = await k.client.request("control", "shutdown_request", { restart });
        expect(reply.header.msg_type).toBe("shutdown_reply");
        expect(reply.content).toMatchObject({ status: "ok", restart });
        const exit = await k.kernel.exited;
        expect(exit).toEqual({ code: 0, signal: null });
        expect(Date.now() - started).toBeLessThan(3000);
        expect(await waitUntilGone(runtimePid)).toBe(true);
      } finally {
        await k.close();
      }
    });
  }

  it("an interrupt_request just before the shutdown_request, as jupyter_client sends them, still ends in exit 0", async () => {
    const k = await startKernel();
    try {
      await k.client.execute("1 + 1");
      // Not awaited: the interrupt's byte is still unread when the runtime exits.
      const interrupted = k.client.request("control", "interrupt_request", {});
      const { reply } = await k.client.request("control", "shutdown_request", { restart: false });
      expect(reply.content).toMatchObject({ status: "ok", restart: false });
      await interrupted;
      expect(await k.kernel.exited).toEqual({ code: 0, signal: null });
    } finally {
      await k.close();
    }
  });

  it("shutdown_request on shell is answered too, and the kernel exits 0", async () => {
    const k = await startKernel();
    try {
      const { reply } = await k.client.request("shell", "shutdown_request", { restart: false });
      expect(reply.content).toMatchObject({ status: "ok", restart: false });
      expect(await k.kernel.exited).toEqual({ code: 0, signal: null });
    } finally {
      await k.close();
    }
  });

  it("takes the child processes its cells left running with it, even one that ignores SIGINT and SIGTERM", async () => {
    const k = await startKernel();
    try {
      const { iopub } = await k.client.execute(
        'import { spawn } from "node:child_process";\nconst stubborn = spawn("sh", ["-c", "trap \'\' INT TERM; sleep 60 & wait"], { stdio: "ignore" });\nawait new Promise((resolve) => setTimeout(resolve, 300));\nstubborn.pid',
      );
      const childPid = Number(resultText(iopub));
      expect(alive(childPid)).toBe(true);
      await k.client.request("control", "shutdown_request", { restart: false });
      expect((await k.kernel.exited).code).toBe(0);
      expect(await waitUntilGone(childPid)).toBe(true);
    } finally {
      await k.close();
    }
  });

  it("a kernel busy in an endless loop still shuts down at once with no runtime left", async () => {
    const k = await startKernel();
    try {
      const { iopub } = await k.client.execute("process.pid");
      const runtimePid = Number(resultText(iopub));
      void k.client.execute("while (true) {}");
      await sleep(500);
      const { reply } = await k.client.request("control", "shutdown_request", { restart: true });
      expect(reply.content).toMatchObject({ status: "ok", restart: true });
      expect((await k.kernel.exited).code).toBe(0);
      expect(await waitUntilGone(runtimePid)).toBe(true);
    } finally {
      await k.close();
    }
  });
});

describe("the type checker's process", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stopped with ${signal} (which tsgo takes as 'cancel', and lives on), is replaced: the next cells' type errors are reported`, async () => {
      const k = await startKernel();
      try {
        const { reply } = await k.client.execute("const kept: number = 41;");
        expect(reply.content.status).toBe("ok");
        const checker = checkerPid(k.kernel.process.pid!);
        expect(checker).toBeDefined();
        process.kill(checker!, signal);
        // Before, the first cell after the signal ran unchecked (tsgo's answer was a panic), and the
        // one after waited 30 s for an answer that never came, then ran unchecked too, as every later cell did.
        for (const code of ["const wrong: string = kept;", "const again: boolean = kept;"]) {
          const { reply: checked, iopub } = await k.client.execute(code);
          expect(checked.content.status).toBe("error");
          expect(String(checked.content.evalue)).toMatch(/TS2322/);
          expect(resultText(iopub)).toBeUndefined();
        }
        expect(resultText((await k.client.execute("kept + 1")).iopub)).toBe("42");
      } finally {
        await k.close();
      }
    });
  }
});
