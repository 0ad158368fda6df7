// Output that reaches the runtime's file descriptors 1 and 2 rather than
// `console`: child processes started with stdio "inherit", execSync's
// inherited stderr, fs.writeSync(1, …). It shows under the cell, in the order
// it was written, before the cell's idle; a child a cell left running prints
// under that cell later.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/messages.js";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import { eventually } from "../reliability/probes.js";

const parentId = (message: Message) => (message.parent_header as { msg_id?: string }).msg_id;

describe("output of child processes and of raw writes to fds 1 and 2", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("a child with stdio inherit prints between the cell's own lines, in order, before idle", async () => {
    const { reply, iopub } = await k.client.execute(
      'import { execSync } from "node:child_process";\nconsole.log("before");\nexecSync("echo from the child", { stdio: "inherit" });\nconsole.log("after");\n"end"',
    );
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub, "stdout")).toBe("before\nfrom the child\nafter\n");
    expect(resultText(iopub)).toBe("'end'");
  });

  it("an awaited child's stdout and stderr go to the cell's stdout and stderr", async () => {
    const { iopub } = await k.client.execute(
      'import { spawn } from "node:child_process";\nconst child = spawn("sh", ["-c", "echo out; echo err >&2"], { stdio: "inherit" });\nawait new Promise((resolve) => child.on("exit", resolve));',
    );
    expect(streamText(iopub, "stdout")).toBe("out\n");
    expect(streamText(iopub, "stderr")).toBe("err\n");
  });

  it("execSync's inherited stderr (a failing command's message) shows in the cell", async () => {
    const { iopub } = await k.client.execute('try { execSync("ls /no-such-directory-here"); } catch { console.log("caught"); }');
    expect(streamText(iopub, "stderr")).toContain("/no-such-directory-here");
    expect(streamText(iopub, "stdout")).toBe("caught\n");
  });

  it("fs.writeSync to fds 1 and 2 shows in the cell", async () => {
    const { iopub } = await k.client.execute('import { writeSync } from "node:fs";\nwriteSync(1, "raw one\\n");\nwriteSync(2, "raw two\\n");');
    expect(streamText(iopub, "stdout")).toBe("raw one\n");
    expect(streamText(iopub, "stderr")).toBe("raw two\n");
  });

  it("a child the cell left running prints under that cell after it ended", async () => {
    const { reply, iopub } = await k.client.execute('spawn("sh", ["-c", "sleep 0.3; echo left running"], { stdio: "inherit" });\n"started"');
    expect(streamText(iopub, "stdout")).toBe("");
    const late = () => k.client.unclaimed.find((m) => m.header.msg_type === "stream" && String(m.content.text).includes("left running"));
    expect(await eventually(() => late() !== undefined, 10_000)).toBe(true);
    expect(parentId(late()!)).toBe(parentId(reply));
  });
});
