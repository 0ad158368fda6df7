// The kernel sends a cell (IPC) and an interrupt (a byte to the runtime's watchdog) on different
// channels: the interrupt can reach the runtime's main thread before the cell it was meant for.
// Driven here at the runtime's own protocol, where that order can be made to happen every time:
// the byte goes first, the cell after it, stamped as sent before the byte (as the kernel had).

import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { sleep } from "../../kernel/client.js";
import type { FromRuntime } from "../../src/runtime/protocol.js";

const RUNTIME = join(PACKAGE_ROOT, "dist", "src", "runtime", "main.js");

interface Runtime {
  child: ChildProcess;
  messages: FromRuntime[];
  run(code: string, sentAt?: number): Promise<Extract<FromRuntime, { type: "done" }>>;
  interrupt(): void;
}

let current: Runtime | undefined;
afterEach(() => {
  current?.child.kill("SIGKILL");
  current = undefined;
});

async function startRuntime(): Promise<Runtime> {
  if (!existsSync(RUNTIME)) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  const { transformCell } = await import("../../src/compile/transform.js");
  const child = fork(RUNTIME, [], {
    execArgv: ["--expose-gc", "--no-concurrent-recompilation", "--no-force-async-hooks-checks", "--experimental-vm-modules", "--disable-warning=ExperimentalWarning"],
    serialization: "json",
    stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"],
  });
  // Killed at the end of each test: its pipes then fail, and an unhandled 'error' would fail the run.
  for (const stream of child.stdio) stream?.on("error", () => undefined);
  const messages: FromRuntime[] = [];
  const listeners = new Set<(message: FromRuntime) => void>();
  child.on("message", (message: FromRuntime) => {
    messages.push(message);
    for (const listener of listeners) listener(message);
  });
  const next = <T extends FromRuntime["type"]>(type: T, id?: string) =>
    new Promise<Extract<FromRuntime, { type: T }>>((resolve) => {
      const listener = (message: FromRuntime) => {
        if (message.type === type && (id === undefined || (message as { id?: string }).id === id)) {
          listeners.delete(listener);
          resolve(message as Extract<FromRuntime, { type: T }>);
        }
      };
      listeners.add(listener);
    });
  await next("ready");
  let cells = 0;
  const runtime: Runtime = {
    child,
    messages,
    run(source, sentAt = Date.now()) {
      const id = `cell-${++cells}`;
      const { code, map } = transformCell(source, { filename: `${id}.ts`, typeOnlyImports: [] });
      const done = next("done", id);
      child.send({ type: "execute", id, code, map, filename: `${id}.ts`, label: `Cell In[${cells}]`, source, sentAt });
      return done;
    },
    interrupt() {
      (child.stdio[4] as Writable).write(Buffer.of(1));
    },
  };
  current = runtime;
  return runtime;
}

/**
 * The watchdog starts with the first cell, and an interrupt waits in its pipe until it has booted
 * (slow on a loaded machine): one it has carried out says it is up.
 */
async function startRuntimeWithWatchdog(): Promise<Runtime> {
  const runtime = await startRuntime();
  const looping = runtime.run("while (true) {}");
  await sleep(300);
  runtime.interrupt();
  expect((await looping).error?.ename).toBe("KeyboardInterrupt");
  return runtime;
}

describe("an interrupt that reaches the runtime before the cell it was sent after", () => {
  it("stops that cell before it starts: its code never runs, and the next cell runs as usual", async () => {
    const runtime = await startRuntimeWithWatchdog();
    const sent = Date.now();
    await sleep(5);
    runtime.interrupt();
    await sleep(300);
    const raced = await runtime.run("globalThis.ranRaced = true;\n'ran'", sent);
    expect(raced.error?.ename).toBe("KeyboardInterrupt");
    const after = await runtime.run("typeof (globalThis as { ranRaced?: unknown }).ranRaced");
    expect(after.result?.data["text/plain"]).toBe("'undefined'");
  });

  it("leaves alone a cell sent after the interrupt: an interrupt while nothing runs stops nothing later", async () => {
    const runtime = await startRuntimeWithWatchdog();
    runtime.interrupt();
    await sleep(300);
    const later = await runtime.run("'ran'");
    expect(later.result?.data["text/plain"]).toBe("'ran'");
  });
});
