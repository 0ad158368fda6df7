// One running kernel under the benchmark: started from its kernelspec argv
// (under setsid, so its whole process tree can be killed), driven by the
// repo's protocol client, every operation bounded by a timeout. Every kernel
// started is remembered, so all of them are killed at the end, even on failure.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { KernelClient, type Exchange, type ExecuteOptions } from "../kernel/client.js";
import { launchKernel, newConnectionInfo, type LaunchedKernel } from "../kernel/kernelspec.js";
import type { ConnectionInfo } from "../kernel/connection.js";
import type { JsonObject, Message } from "../kernel/messages.js";
import type { KernelDef } from "./kernels.js";
import { killTree, treeRss, type TreeMemory } from "./process-tree.js";

export class TimeoutError extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const live = new Set<BenchKernel>();

/** Kills every kernel process tree still running. Safe to call more than once. */
export function killAllKernels(): void {
  for (const kernel of live) kernel.kill();
}

/** A folder every kernel runs in, outside the repo (so no kernel picks up its package.json or tsconfig). */
let workDir: string | undefined;
export function kernelCwd(): string {
  workDir ??= mkdtempSync(join(tmpdir(), "ephemeron-bench-"));
  return workDir;
}
export function removeKernelCwd(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

export class BenchKernel {
  client: KernelClient | undefined;
  private dead = false;

  private constructor(
    readonly def: KernelDef,
    readonly launched: LaunchedKernel,
    /** performance.now() just before the kernel process was spawned. */
    readonly launchedAt: number,
  ) {}

  get pid(): number {
    return this.launched.process.pid ?? -1;
  }

  get connection(): ConnectionInfo {
    return this.launched.connection;
  }

  /** Spawns the kernel; `connection` may be prepared beforehand so that a probe can connect first. */
  static async launch(def: KernelDef, connection?: ConnectionInfo): Promise<BenchKernel> {
    const info = connection ?? (await newConnectionInfo());
    const spec = { argv: ["setsid", ...def.argv], display_name: def.label, language: def.language, env: def.env };
    const launchedAt = performance.now();
    const launched = await launchKernel({ spec, connection: info, cwd: kernelCwd() });
    const kernel = new BenchKernel(def, launched, launchedAt);
    live.add(kernel);
    return kernel;
  }

  /** Launches and connects a client that has seen kernel_info answered (IOPub subscribed). */
  static async start(def: KernelDef, timeoutMs = 30_000): Promise<BenchKernel> {
    const kernel = await BenchKernel.launch(def);
    try {
      await kernel.connect(timeoutMs);
    } catch (error) {
      await kernel.stop();
      throw new Error(`${def.label} did not start: ${(error as Error).message}; stderr: ${kernel.launched.stderr().slice(-500)}`);
    }
    return kernel;
  }

  async connect(timeoutMs = 30_000): Promise<void> {
    this.client ??= KernelClient.connect(this.connection);
    await withTimeout(this.client.waitForReady(timeoutMs), timeoutMs + 1000, `${this.def.label} kernel_info`);
  }

  private get ready(): KernelClient {
    if (!this.client) throw new Error(`${this.def.label}: not connected`);
    return this.client;
  }

  /** Executes a cell; resolves with the time from send to reply-and-idle. */
  async execute(code: string, timeoutMs = 30_000, options: ExecuteOptions = {}): Promise<{ ms: number; exchange: Exchange }> {
    const start = performance.now();
    const exchange = await withTimeout(this.ready.execute(code, options), timeoutMs, `${this.def.label} execute`);
    return { ms: performance.now() - start, exchange };
  }

  /** Executes a cell that must succeed; throws with the kernel's error otherwise. */
  async run(code: string, timeoutMs = 30_000): Promise<{ ms: number; exchange: Exchange }> {
    const result = await this.execute(code, timeoutMs);
    const reply = result.exchange.reply.content as { status?: string; ename?: string; evalue?: string };
    if (reply.status !== "ok") throw new Error(`${this.def.label}: cell failed (${reply.status}): ${reply.ename ?? ""}: ${reply.evalue ?? ""}`);
    return result;
  }

  async request(msgType: string, content: JsonObject, timeoutMs = 30_000): Promise<{ ms: number; exchange: Exchange }> {
    const start = performance.now();
    const exchange = await withTimeout(this.ready.request("shell", msgType, content), timeoutMs, `${this.def.label} ${msgType}`);
    return { ms: performance.now() - start, exchange };
  }

  get unclaimed(): Message[] {
    return this.client?.unclaimed ?? [];
  }

  memory(): TreeMemory {
    return treeRss(this.pid);
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.pid > 0) killTree(this.pid);
    this.client?.close();
    live.delete(this);
  }

  /** Kills the process tree and removes the connection file. */
  async stop(): Promise<void> {
    this.kill();
    await withTimeout(this.launched.dispose(), 5000, `${this.def.label} exit`).catch(() => undefined);
  }
}

/** The text/plain of an execute_result among a request's IOPub messages. */
export function resultText(exchange: Exchange): string | undefined {
  for (const message of exchange.iopub) {
    if (message.header.msg_type === "execute_result") {
      const data = (message.content as { data?: Record<string, unknown> }).data;
      return typeof data?.["text/plain"] === "string" ? data["text/plain"] : undefined;
    }
  }
  return undefined;
}

/** All stream text of a request's IOPub messages, in order. */
export function streamText(messages: Message[]): string {
  return messages
    .filter((m) => m.header.msg_type === "stream")
    .map((m) => (m.content as { text?: string }).text ?? "")
    .join("");
}
