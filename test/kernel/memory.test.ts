// What the kernel process keeps resident once it has served a cell, read from
// /proc: memory that a notebook session pays for whether it uses it or not.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";

/** A field of /proc/PID/smaps_rollup, in kB. */
function rollup(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return match ? Number(match[1]) : 0;
}

/** A Jupyter data folder whose history file holds `bytes` of earlier sessions' inputs, one-line to twelve-line cells. */
function dataDirWithHistory(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), "ephemeron-memory-"));
  mkdirSync(join(dir, "ephemeron"));
  const lines: string[] = [];
  let size = 0;
  for (let session = 1; size < bytes; session++) {
    lines.push(JSON.stringify({ session, start: "2026-01-01T00:00:00.000Z" }));
    for (let line = 1; line <= 20 && size < bytes; line++) {
      const input = Array.from({ length: 1 + ((session * line) % 12) }, (_, k) => `const v${session}_${line}_${k}: number = Math.max(${k}, ${line});`).join("\n");
      lines.push(JSON.stringify({ session, line, input }));
      size += lines.at(-1)!.length + 1;
    }
  }
  writeFileSync(join(dir, "ephemeron", "history.jsonl"), lines.join("\n") + "\n");
  return dir;
}

/** The kernel process's resident memory after a checked cell and a settled moment, in kB. */
async function residentAfterACell(env: Record<string, string>): Promise<number> {
  const k = await startKernel({ env });
  try {
    const { reply } = await k.client.execute("interface Pt { x: number }\nconst pt: Pt = { x: 1 };\npt.x");
    expect(reply.content.status).toBe("ok");
    await new Promise((resolve) => setTimeout(resolve, 500));
    return rollup(k.kernel.process.pid!, "Rss");
  } finally {
    await k.close();
  }
}

/** Whether the machine gives transparent huge pages to a process that asks (madvise) or to all. */
function hugePagesOffered(): boolean {
  try {
    return !/\[never\]/.test(readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8"));
  } catch {
    return false;
  }
}

describe("the kernel process after a checked cell", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
    const { reply } = await k.client.execute('interface Pt { x: number }\nconst pt: Pt = { x: 1 };\npt.x');
    expect(reply.content.status).toBe("ok");
  });
  afterAll(async () => {
    await k?.close();
  });

  it.skipIf(!hugePagesOffered())("holds no transparent huge pages (swc's allocator asked for 2 MB pages it touches a few kB of)", () => {
    expect(rollup(k.kernel.process.pid!, "AnonHugePages")).toBe(0);
  });

  it("cells do not see the allocator setting the kernel gave swc", async () => {
    const { iopub } = await k.client.execute('Object.keys(process.env).filter((name) => name.startsWith("MIMALLOC_"))');
    expect(resultText(iopub)).toBe("[]");
  });
});

describe("the kernel process with a long input history", () => {
  it("does not keep earlier sessions' inputs in memory: a history near its 2 MB bound leaves the kernel no larger than an empty one", async () => {
    const long = dataDirWithHistory(1_900_000);
    const empty = mkdtempSync(join(tmpdir(), "ephemeron-memory-"));
    try {
      // Alternately, the median of three each: a launch's resident size varies by a few hundred kB.
      const withLong: number[] = [];
      const withEmpty: number[] = [];
      for (let i = 0; i < 3; i++) {
        withLong.push(await residentAfterACell({ JUPYTER_DATA_DIR: long }));
        withEmpty.push(await residentAfterACell({ JUPYTER_DATA_DIR: empty }));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
      expect(median(withLong) - median(withEmpty), `kernel RSS after a cell: ${withLong} kB with the history, ${withEmpty} kB without`).toBeLessThan(1500);
    } finally {
      rmSync(long, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the runtime process after a cell", () => {
  it("has not loaded node:crypto (about 1 MB) for itself: the kernel makes the keys of a cell's function texts", async () => {
    const k = await startKernel();
    try {
      const { iopub } = await k.client.execute('const f = (n: number) => n * 2;\n(process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((name) => /^NativeModule (?:internal\\/)?crypto\\b/.test(name))');
      expect(resultText(iopub)).toBe("[]");
    } finally {
      await k.close();
    }
  });
});
