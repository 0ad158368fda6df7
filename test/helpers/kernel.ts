// Starts a real ephemeron kernel (the built one in dist/, from the kernelspec
// argv, with a fresh connection file) and connects a real ZeroMQ client.

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelClient } from "../../kernel/client.js";
import { PACKAGE_ROOT, resolvedKernelSpec, type LaunchedKernel, type LaunchOptions } from "../../kernel/kernelspec.js";
import { launchReadyKernel } from "../../kernel/ready-kernel.js";
import type { Message } from "../../kernel/messages.js";

export interface TestKernel {
  kernel: LaunchedKernel;
  client: KernelClient;
  close(): Promise<void>;
}

let testDataDir: string | undefined;
/**
 * A Jupyter data folder of this test file's own: kernels keep their input history there, and a
 * test's (or the fuzzer's random) inputs must neither land in the user's history nor show up in
 * another test's history search.
 */
export function testJupyterDataDir(): string {
  if (testDataDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-test-data-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    testDataDir = dir;
  }
  return testDataDir;
}

export async function startKernel(options: LaunchOptions & { extraArgs?: string[] } = {}): Promise<TestKernel> {
  if (!existsSync(join(PACKAGE_ROOT, "dist", "kernel", "cli.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  const env = { JUPYTER_DATA_DIR: testJupyterDataDir(), ...options.env };
  const { kernel, client } = await launchReadyKernel({ spec: resolvedKernelSpec({ extraArgs: options.extraArgs }), ...options, env });
  return {
    kernel,
    client,
    async close() {
      client.close();
      await kernel.dispose();
    },
  };
}

/** The IOPub messages of one request, reduced to what a notebook shows. */
export function outputsOf(iopub: Message[]): { type: string; content: Record<string, unknown> }[] {
  return iopub
    .filter((message) => message.header.msg_type !== "status" && message.header.msg_type !== "execute_input")
    .map((message) => ({ type: message.header.msg_type, content: message.content }));
}

export function streamText(iopub: Message[], name: "stdout" | "stderr" = "stdout"): string {
  return iopub
    .filter((message) => message.header.msg_type === "stream" && message.content.name === name)
    .map((message) => String(message.content.text))
    .join("");
}

export function resultText(iopub: Message[]): string | undefined {
  const result = iopub.find((message) => message.header.msg_type === "execute_result");
  return result ? String((result.content.data as Record<string, unknown>)["text/plain"]) : undefined;
}

/** True when a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
