// Output floods: a million printed lines, a 50 MB string as a result and as
// printed output, a 20 MB PNG. The cell finishes, what it printed arrives in
// order before its idle, in a bounded number of messages, and the memory of
// the kernel and the runtime stays bounded.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/messages.js";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { rssMb, runtimePid, settledRss } from "./probes.js";

const book = new FigureBook("floods");
afterAll(() => book.save());

const LINES = 1_000_000;
/** Stream messages a million-line cell may take: text is coalesced up to 1 MiB per message. */
const MAX_STREAM_MESSAGES = 1000;
/** Resident memory either process may reach while a flood passes through it. */
const MAX_KERNEL_RSS_MB = 600;
const MAX_RUNTIME_RSS_MB = 600;

/** Runs a cell while sampling both processes' RSS every 100 ms; returns the exchange and the peaks. */
async function runSampled(k: TestKernel, code: string) {
  const runtime = await runtimePid(k);
  const peak = { kernel: 0, runtime: 0 };
  const sample = () => {
    try {
      peak.kernel = Math.max(peak.kernel, rssMb(k.kernel.process.pid!));
      peak.runtime = Math.max(peak.runtime, rssMb(runtime));
    } catch {
      // a process that just ended
    }
  };
  const timer = setInterval(sample, 100);
  try {
    const exchange = await k.client.execute(code);
    sample();
    return { ...exchange, peak };
  } finally {
    clearInterval(timer);
  }
}

const streams = (iopub: Message[]) => iopub.filter((message) => message.header.msg_type === "stream");

describe("output floods", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it(`delivers all ${LINES.toLocaleString("en-US")} printed lines, in order, before idle, in at most ${MAX_STREAM_MESSAGES} stream messages`, async () => {
    const check = book.check(
      "a cell printing 1,000,000 lines finishes and every line arrives, in order, before idle",
      "one cell: for (i < 1,000,000) console.log(i)",
    );
    const before = await settledRss(k);
    const { reply, iopub, peak } = await runSampled(k, `for (let i = 0; i < ${LINES}; i++) console.log(i);\n"printed"`);
    expect(reply.content.status).toBe("ok");
    const messages = streams(iopub);
    const idleAt = iopub.findIndex((m) => m.header.msg_type === "status" && m.content.execution_state === "idle");
    expect(idleAt).toBe(iopub.length - 1);
    const text = messages.map((m) => String(m.content.text)).join("");
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(LINES);
    let inOrder = true;
    for (let i = 0; i < lines.length; i++) if (lines[i] !== String(i)) inOrder = false;
    expect(inOrder).toBe(true);
    expect(messages.every((m) => m.content.name === "stdout")).toBe(true);
    expect(messages.length).toBeLessThanOrEqual(MAX_STREAM_MESSAGES);
    expect(resultText(iopub)).toBe("'printed'");
    expect(peak.kernel).toBeLessThan(MAX_KERNEL_RSS_MB);
    expect(peak.runtime).toBeLessThan(MAX_RUNTIME_RSS_MB);
    // Recorded, not bounded: what V8 keeps of a heap it grew is its business; the peak above is the bound.
    const after = await settledRss(k);
    Object.assign(check.figures, {
      "lines printed": LINES,
      "lines arrived in order before idle": lines.length,
      "characters": text.length,
      "stream messages": messages.length,
      "bound on stream messages": MAX_STREAM_MESSAGES,
      "kernel RSS before / peak / after (MB)": `${before.kernel} / ${peak.kernel} / ${after.kernel}`,
      "runtime RSS before / peak / after (MB)": `${before.runtime} / ${peak.runtime} / ${after.runtime}`,
      "bound on peak RSS, each process (MB)": MAX_KERNEL_RSS_MB,
    });
    check.held = true;
  }, 180_000);

  it("shows a 50 MB string result as its first 10,000 characters and says how many more there are", async () => {
    const check = book.check(
      "a 50 MB string as a cell's result is shown cut, with a notice of how much was left out",
      "one cell: \"x\".repeat(50,000,000)",
    );
    const { reply, iopub, peak } = await runSampled(k, 'const big: string = "x".repeat(50_000_000);\nbig');
    expect(reply.content.status).toBe("ok");
    const text = resultText(iopub)!;
    expect(text).toContain("49990000 more characters");
    expect(text.length).toBeLessThan(20_000);
    expect(peak.kernel).toBeLessThan(MAX_KERNEL_RSS_MB);
    expect(peak.runtime).toBeLessThan(MAX_RUNTIME_RSS_MB);
    const length = await k.client.execute("big.length");
    expect(resultText(length.iopub)).toBe("50000000");
    Object.assign(check.figures, {
      "text/plain characters sent": text.length,
      notice: text.slice(-40).trim(),
      "kernel / runtime peak RSS (MB)": `${peak.kernel} / ${peak.runtime}`,
    });
    check.held = true;
  });

  it("delivers a single 50 MB printed string whole", async () => {
    const check = book.check("a single 50 MB string printed with console.log arrives whole", "one cell: console.log of a 50,000,000-character string");
    const { reply, iopub, peak } = await runSampled(k, 'const printed: string = "y".repeat(50_000_000);\nconsole.log(printed);');
    expect(reply.content.status).toBe("ok");
    const messages = streams(iopub);
    const text = messages.map((m) => String(m.content.text)).join("");
    expect(text.length).toBe(50_000_001);
    expect(/^y+\n$/.test(text)).toBe(true);
    expect(peak.kernel).toBeLessThan(MAX_KERNEL_RSS_MB);
    expect(peak.runtime).toBeLessThan(MAX_RUNTIME_RSS_MB);
    Object.assign(check.figures, {
      "characters arrived": text.length,
      "stream messages": messages.length,
      "kernel / runtime peak RSS (MB)": `${peak.kernel} / ${peak.runtime}`,
    });
    check.held = true;
  }, 120_000);

  it("displays a 20 MB PNG whole", async () => {
    const check = book.check("a 20 MB PNG shown with display.png arrives whole", "one cell: display.png of a 20 MiB buffer");
    const size = 20 * 1024 * 1024;
    const code = [
      "// @ts-nocheck",
      `const image = Buffer.alloc(${size}, 7);`,
      "Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(image);",
      "await display.png(image);",
    ].join("\n");
    const { reply, iopub, peak } = await runSampled(k, code);
    expect(reply.content.status).toBe("ok");
    const shown = iopub.filter((m) => m.header.msg_type === "display_data");
    expect(shown).toHaveLength(1);
    const data = (shown[0]!.content.data as Record<string, string>)["image/png"]!;
    const bytes = Buffer.from(data, "base64");
    expect(bytes.length).toBe(size);
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("\x89PNG");
    expect(bytes.at(-1)).toBe(7);
    expect(peak.kernel).toBeLessThan(MAX_KERNEL_RSS_MB);
    expect(peak.runtime).toBeLessThan(MAX_RUNTIME_RSS_MB);
    Object.assign(check.figures, {
      "image bytes arrived": bytes.length,
      "base64 characters": data.length,
      "kernel / runtime peak RSS (MB)": `${peak.kernel} / ${peak.runtime}`,
    });
    check.held = true;
  }, 120_000);

  it("still runs a small cell after the floods", async () => {
    const after = await settledRss(k);
    const { iopub } = await k.client.execute("1 + 1");
    expect(resultText(iopub)).toBe("2");
    const check = book.check("the kernel runs cells after the floods", "one cell");
    check.figures["kernel / runtime RSS after all floods (MB)"] = `${after.kernel} / ${after.runtime}`;
    check.held = true;
  });
});
