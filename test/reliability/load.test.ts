// Load: ten thousand cells in a row with the memory of the kernel and the
// runtime bounded, and two clients on one kernel at once, each getting its own
// replies and outputs under its own parent headers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../../kernel/client.js";
import type { Exchange } from "../../kernel/client.js";
import type { Message } from "../../kernel/messages.js";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { settledRss } from "./probes.js";

const book = new FigureBook("load");
afterAll(() => book.save());

const EXECUTES = Number(process.env.EPHEMERON_LOAD_EXECUTES ?? 10_000);
const WARM_UP = 300;
/**
 * Resident memory the kernel and the runtime may each gain over 10,000 cells,
 * after a warm-up. Neither is zero by design: the runtime keeps every cell's
 * source and source map (a function defined in cell 3 and failing in cell 9,000
 * still shows its own lines), about 3–5 KB a cell; the kernel keeps the input
 * history and the checker's record of accepted cells.
 */
const MAX_KERNEL_GROWTH_MB = 100;
const MAX_RUNTIME_GROWTH_MB = 100;

const HEAP_USED = "const usage = process.memoryUsage();\nMath.round(usage.heapUsed / 1024)";

const parentId = (message: Message) => (message.parent_header as { msg_id?: string }).msg_id;

describe("load", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it(`runs ${EXECUTES.toLocaleString("en-US")} cells in a row, each once, with bounded memory`, async () => {
    const check = book.check(
      `${EXECUTES.toLocaleString("en-US")} executes in a row run each cell once, with the memory of kernel and runtime bounded`,
      `${EXECUTES.toLocaleString("en-US")} type-checked, stored, non-silent cells \`counter++\` (after ${WARM_UP} warm-up cells), each awaited to its idle`,
    );
    await k.client.execute("let counter = 0;");
    for (let i = 0; i < WARM_UP; i++) await k.client.execute("counter++");
    await k.client.execute("counter = 0;");
    const before = await settledRss(k);
    const heapBefore = Number(resultText((await k.client.execute(HEAP_USED, { store_history: false })).iopub));
    let failures = 0;
    let results = 0;
    let firstCount = 0;
    let lastCount = 0;
    for (let i = 0; i < EXECUTES; i++) {
      const { reply, iopub } = await k.client.execute("counter++");
      if (reply.content.status !== "ok") failures++;
      if (resultText(iopub) === String(i)) results++;
      if (i === 0) firstCount = reply.content.execution_count as number;
      lastCount = reply.content.execution_count as number;
    }
    const total = await k.client.execute("counter");
    const after = await settledRss(k);
    const heapAfter = Number(resultText((await k.client.execute(HEAP_USED, { store_history: false })).iopub));
    expect(failures).toBe(0);
    expect(results).toBe(EXECUTES);
    expect(resultText(total.iopub)).toBe(String(EXECUTES));
    expect(lastCount - firstCount).toBe(EXECUTES - 1);
    expect(after.runtimePid).toBe(before.runtimePid);
    const kernelGrowth = Math.round((after.kernel - before.kernel) * 10) / 10;
    const runtimeGrowth = Math.round((after.runtime - before.runtime) * 10) / 10;
    expect(kernelGrowth, `kernel ${before.kernel} → ${after.kernel} MB`).toBeLessThan(MAX_KERNEL_GROWTH_MB);
    expect(runtimeGrowth, `runtime ${before.runtime} → ${after.runtime} MB`).toBeLessThan(MAX_RUNTIME_GROWTH_MB);
    Object.assign(check.figures, {
      executes: EXECUTES,
      "ok replies": EXECUTES - failures,
      "results in order": results,
      "counter after": EXECUTES,
      "kernel RSS before / after (MB)": `${before.kernel} / ${after.kernel}`,
      "kernel growth (MB)": kernelGrowth,
      "bound on kernel growth (MB)": MAX_KERNEL_GROWTH_MB,
      "runtime RSS before / after (MB)": `${before.runtime} / ${after.runtime}`,
      "runtime growth (MB)": runtimeGrowth,
      "bound on runtime growth (MB)": MAX_RUNTIME_GROWTH_MB,
      "runtime JS heap used before / after (KB)": `${heapBefore} / ${heapAfter}`,
      "runtime JS heap per cell (KB)": Math.round(((heapAfter - heapBefore) / EXECUTES) * 10) / 10,
    });
    check.held = true;
  }, 240_000);

  it("gives two clients connected at once their own replies and outputs, under their own parent headers", async () => {
    const ROUNDS = 25;
    const check = book.check(
      "two clients connected at once each get their own replies and outputs",
      `two KernelClients on one connection file, ${ROUNDS} interleaved executes each, sent without waiting`,
    );
    const other = KernelClient.connect(k.kernel.connection);
    try {
      await other.waitForReady();
      const clients = { A: k.client, B: other };
      const sent: Promise<{ who: "A" | "B"; round: number; exchange: Exchange }>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const who of ["A", "B"] as const) {
          const code = `console.log("${who} says ${round}");\nawait new Promise((resolve) => setTimeout(resolve, 5));\n"${who}${round}"`;
          sent.push(clients[who].execute(code).then((exchange) => ({ who, round, exchange })));
        }
      }
      const exchanges = await Promise.all(sent);
      let own = 0;
      for (const { who, round, exchange } of exchanges) {
        const { reply, iopub } = exchange;
        const requestId = parentId(reply);
        expect(reply.content.status).toBe("ok");
        expect(iopub.every((m) => parentId(m) === requestId)).toBe(true);
        expect(streamText(iopub)).toBe(`${who} says ${round}\n`);
        expect(resultText(iopub)).toBe(`'${who}${round}'`);
        own++;
      }
      // Each client also saw the other's outputs on IOPub, under the other's parent headers, and claimed none of them.
      const otherOutputs = (client: KernelClient, from: "A" | "B") =>
        client.unclaimed.filter((m) => m.header.msg_type === "stream" && String(m.content.text).startsWith(`${from} says`)).length;
      expect(otherOutputs(k.client, "B")).toBe(ROUNDS);
      expect(otherOutputs(other, "A")).toBe(ROUNDS);
      Object.assign(check.figures, {
        "executes per client": ROUNDS,
        "exchanges with only their own parent header": own,
        "other client's outputs seen and left unclaimed, per client": ROUNDS,
      });
      check.held = true;
    } finally {
      other.close();
    }
  });
});
