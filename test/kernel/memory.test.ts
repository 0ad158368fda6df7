// What the kernel process keeps resident once it has served a cell, read from
// /proc: memory that a notebook session pays for whether it uses it or not.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";

/** A field of /proc/PID/smaps_rollup, in kB. */
function rollup(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return match ? Number(match[1]) : 0;
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
