// Interrupts over the real protocol: interrupt_request on control and SIGINT
// to the kernel process stop any cell within a second as KeyboardInterrupt,
// keep the session's variables, and abort what was queued behind (stop_on_error).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";
import { sleep, type Exchange } from "../../kernel/client.js";
import type { Message } from "../../kernel/messages.js";

/** Starts `code`, waits until it is surely running, interrupts it with `how`, and times the cell's end. */
async function interruptCell(k: TestKernel, code: string, how: () => Promise<unknown> | void): Promise<{ exchange: Exchange; ms: number }> {
  const running = k.client.execute(code);
  await sleep(700);
  const started = Date.now();
  await how();
  const exchange = await running;
  return { exchange, ms: Date.now() - started };
}

const viaMessage = (k: TestKernel) => () => k.client.request("control", "interrupt_request", {});

/** Sends `code` while something else holds the runtime, interrupts `ms` later, and gives the queued cell's exchange. */
async function interruptWhileQueued(k: TestKernel, code: string, ms: number): Promise<Exchange> {
  const queued = k.client.execute(code);
  await sleep(ms);
  await k.client.request("control", "interrupt_request", {});
  return queued;
}

describe("SIGINT to the kernel's process group, as jupyter_client interrupts a kernelspec in signal mode", () => {
  let k: TestKernel;
  beforeAll(async () => {
    // Its own process group, as jupyter_client starts kernels: the group's SIGINT reaches the
    // kernel, the runtime and the checker, and not this test.
    k = await startKernel({ newSession: true });
    const { reply } = await k.client.execute("let kept = 41;");
    expect(reply.content.status).toBe("ok");
  });
  afterAll(async () => {
    await k?.close();
  });

  it("interrupts the running cell, and the type checker still reports the next cell's type error", async () => {
    const { exchange } = await interruptCell(k, "while (true) {}", () => void process.kill(-k.kernel.process.pid!, "SIGINT"));
    expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    process.kill(-k.kernel.process.pid!, "SIGINT");
    await sleep(300);
    const typo = await k.client.execute("const wrong: string = kept;");
    expect(typo.reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(typo.reply.content.evalue)).toContain("TS2322");
    expect(resultText((await k.client.execute("kept + 1")).iopub)).toBe("42");
  }, 90_000);
});

describe("interrupting a cell", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
    const { reply } = await k.client.execute("let before = 41;");
    expect(reply.content.status).toBe("ok");
  });
  afterAll(async () => {
    await k?.close();
  });

  for (const [label, code] of [
    ["a synchronous endless loop", "while (true) {}"],
    ["an await that never settles", "await new Promise(() => {});"],
    ["an endless loop of awaits", "while (true) { await null; }"],
  ] as const) {
    it(`interrupt_request stops ${label} within a second as KeyboardInterrupt, and earlier variables stay`, async () => {
      const { exchange, ms } = await interruptCell(k, code, viaMessage(k));
      expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(exchange.iopub.some((m) => m.header.msg_type === "error" && m.content.ename === "KeyboardInterrupt")).toBe(true);
      expect(ms).toBeLessThan(1000);
      const next = await k.client.execute("before + 1");
      expect(next.reply.content.status).toBe("ok");
      expect(resultText(next.iopub)).toBe("42");
    });
  }

  it("a cell interrupted while it awaits does not go on when what it awaited settles, nor does its for await loop", async () => {
    await k.client.execute("let progress = 0;");
    const waited = await interruptCell(k, 'await new Promise((done) => setTimeout(done, 1500));\nconsole.log("went on");\nprogress = 99;', viaMessage(k));
    expect(waited.exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const looped = await interruptCell(
      k,
      "async function* ticks() { for (let i = 1; ; i++) { await new Promise((done) => setTimeout(done, 100)); yield i; } }\nfor await (const tick of ticks()) progress = tick;",
      viaMessage(k),
    );
    expect(looped.exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const stoppedAt = Number(resultText((await k.client.execute("progress")).iopub));
    await sleep(1500);
    // Past the first cell's timer and many ticks: neither went on.
    expect(resultText((await k.client.execute("progress")).iopub)).toBe(String(stoppedAt));
    expect(stoppedAt).toBeLessThan(99);
    expect(k.client.unclaimed.some((m) => m.header.msg_type === "stream" && String(m.content.text).includes("went on"))).toBe(false);
  });

  it("an interrupted cell's async functions stop at their awaits too, while a finished cell's task goes on", async () => {
    await k.client.execute("let reached = 0, background = 0;\nasync function work() { await new Promise((done) => setTimeout(done, 1500)); reached = 1; }");
    await k.client.execute("(async () => { await new Promise((done) => setTimeout(done, 1200)); background = 1; })();");
    const { exchange } = await interruptCell(k, "await work();\nreached = 2;", viaMessage(k));
    expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    await sleep(1500);
    // Past work()'s timer: it did not go on; the task of the cell that had ended did.
    expect(resultText((await k.client.execute("[reached, background]")).iopub)).toBe("[ 0, 1 ]");
  });

  it("interrupt_request stops an endless loop in a timer's callback while a cell awaits, and the session's timers and variables still work", async () => {
    // The timer is the cell's own, so it surely loops while this cell runs (one set by an earlier
    // cell might fire before this cell reached the runtime: the next test's case).
    await k.client.execute("let spun = 0;");
    const { exchange } = await interruptCell(
      k,
      'setTimeout(() => { spun = 1; console.log("spinning"); while (true) {} }, 100);\nawait new Promise((done) => setTimeout(done, 200));\nspun',
      viaMessage(k),
    );
    expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const next = await k.client.execute("await new Promise((done) => setTimeout(done, 20));\n[before + spun, await Promise.resolve('later')]");
    expect(next.reply.content.status).toBe("ok");
    expect(resultText(next.iopub)).toBe("[ 42, 'later' ]");
  });

  it("a cell sent while an earlier cell's timer loops runs once an interrupt stops the loop, and the stop is reported once", async () => {
    const earlier = k.client.unclaimed.length;
    const setter = await k.client.execute('setTimeout(() => { while (true) {} }, 100);\n"set"');
    await sleep(500);
    const { reply, iopub } = await interruptWhileQueued(k, "before + 4", 400);
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("45");
    // Output goes to the cell that runs, if one does (as ipykernel's does): the report is under the
    // queued cell if it started before the watchdog's word came, else under the timer's cell.
    const isReport = (m: Message) => m.header.msg_type === "stream" && String(m.content.text).includes("a timer or a callback was running was stopped");
    const reports = () => [...iopub, ...k.client.unclaimed.slice(earlier)].filter(isReport);
    for (const deadline = Date.now() + 5000; reports().length === 0 && Date.now() < deadline; ) await sleep(20);
    await sleep(200);
    const parentOf = (m: Message) => (m.parent_header as { msg_id?: string }).msg_id;
    const parents = reports().map(parentOf);
    expect(parents).toHaveLength(1);
    expect([parentOf(setter.reply), parentOf(reply)]).toContain(parents[0]);
  });

  it("interrupt_request stops a cell that waits for a child process (execSync), and leaves no child behind", async () => {
    const { exchange, ms } = await interruptCell(k, 'import { execSync } from "node:child_process";\nexecSync("sleep 300 && echo never");', viaMessage(k));
    expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(ms).toBeLessThan(2000);
    const next = await k.client.execute("before + 1");
    expect(resultText(next.iopub)).toBe("42");
  });

  it("a cell whose interrupted child's error it catches ends with KeyboardInterrupt all the same (Python's is no Exception), and the cell after it runs whole", async () => {
    for (let round = 0; round < 3; round++) {
      const code = 'import { execSync } from "node:child_process";\nlet seen = "";\ntry { execSync("sleep 300"); } catch (error) { seen = (error as Error).message; }\n"went on"';
      const { exchange } = await interruptCell(k, code, viaMessage(k));
      expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(resultText(exchange.iopub)).toBeUndefined();
      const next = await k.client.execute("let n = 0;\nfor (let i = 0; i < 3e7; i++) n++;\nn");
      expect(next.reply.content.status).toBe("ok");
      expect(resultText(next.iopub)).toBe("30000000");
    }
  }, 60_000);

  it("SIGINT to the kernel process interrupts the running cell instead of killing the kernel", async () => {
    const { exchange, ms } = await interruptCell(k, "while (true) {}", () => void k.kernel.process.kill("SIGINT"));
    expect(exchange.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(ms).toBeLessThan(1000);
    const next = await k.client.execute("before + 1");
    expect(resultText(next.iopub)).toBe("42");
    expect(k.kernel.process.exitCode).toBeNull();
  });

  it("SIGINT while the kernel is idle changes nothing", async () => {
    k.kernel.process.kill("SIGINT");
    await sleep(200);
    const next = await k.client.execute("before + 1");
    expect(resultText(next.iopub)).toBe("42");
  });

  it("an interrupt while no cell runs is answered ok", async () => {
    const { reply } = await k.client.request("control", "interrupt_request", {});
    expect(reply.header.msg_type).toBe("interrupt_reply");
    expect(reply.content.status).toBe("ok");
  });

  it("an interrupt while no cell runs stops a timer's endless loop, reported under the cell that set it, and the next cell runs as usual", async () => {
    const earlier = k.client.unclaimed.length;
    const setter = await k.client.execute("setTimeout(() => { while (true) {} }, 100);");
    await sleep(600);
    await k.client.request("control", "interrupt_request", {});
    const next = await k.client.execute("before + 2");
    expect(next.reply.content.status).toBe("ok");
    expect(resultText(next.iopub)).toBe("43");
    const report = () => k.client.unclaimed.slice(earlier).find((m) => m.header.msg_type === "stream" && String(m.content.text).includes("a timer or a callback was running was stopped"));
    for (const deadline = Date.now() + 5000; report() === undefined && Date.now() < deadline; ) await sleep(20);
    expect((report()?.parent_header as { msg_id?: string } | undefined)?.msg_id).toBe((setter.reply.parent_header as { msg_id?: string }).msg_id);
  });

  it("an interrupt while no cell runs ends a comm handler stuck in a loop, and the cells queued behind its message run", async () => {
    await k.client.execute('comm.registerTarget("spin", (c) => c.onMsg(() => { while (true) {} }));');
    const send = (msgType: string, content: Record<string, unknown>) =>
      k.client.sendRaw("shell", k.client.session.serialize({ identities: [], header: k.client.session.makeHeader(msgType), parent_header: {}, metadata: {}, content, buffers: [] }));
    await send("comm_open", { comm_id: "spin-1", target_name: "spin", data: {} });
    await send("comm_msg", { comm_id: "spin-1", data: {} });
    const { reply, iopub } = await interruptWhileQueued(k, "before + 3", 700);
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("44");
  });

  it("requests queued behind an interrupted cell are aborted, and the next one after them runs", async () => {
    const looping = k.client.execute("while (true) {}");
    const queued = k.client.execute("before + 100");
    await sleep(700);
    await k.client.request("control", "interrupt_request", {});
    expect((await looping).reply.content.ename).toBe("KeyboardInterrupt");
    const aborted = await queued;
    expect(aborted.reply.content.status).toBe("aborted");
    expect(aborted.iopub.some((m) => m.header.msg_type === "execute_result")).toBe(false);
    const after = await k.client.execute("before + 2");
    expect(resultText(after.iopub)).toBe("43");
  });

  it("requests queued behind a failed cell are aborted when stop_on_error is set", async () => {
    const failing = k.client.execute('await new Promise((r) => setTimeout(r, 300)); throw new Error("boom");');
    const queued = k.client.execute("before + 100");
    expect((await failing).reply.content).toMatchObject({ status: "error", evalue: "boom" });
    expect((await queued).reply.content.status).toBe("aborted");
    expect(resultText((await k.client.execute("before + 3")).iopub)).toBe("44");
  });

  it("with stop_on_error false, requests queued behind a failed cell still run", async () => {
    const failing = k.client.execute('await new Promise((r) => setTimeout(r, 300)); throw new Error("boom");', { stop_on_error: false });
    const queued = k.client.execute("before + 100");
    expect((await failing).reply.content.status).toBe("error");
    const ran = await queued;
    expect(ran.reply.content.status).toBe("ok");
    expect(resultText(ran.iopub)).toBe("141");
  });
});

describe("interrupting a cell before it starts", () => {
  it("stops the first cell of a session while it waits for the checker (warm-up, then a check of seconds): it never runs, and answers at once", async () => {
    const k = await startKernel();
    try {
      // Types whose check takes seconds: the warm-up alone may be over before the interrupt on a fast machine.
      const slowTypes = 'type Build<L extends number, A extends unknown[] = []> = A["length"] extends L ? A : Build<L, [...A, unknown]>;\n' +
        Array.from({ length: 30 }, (_, i) => `const t${i}: Build<${900 + i}>["length"] = ${900 + i};`).join("\n");
      const running = k.client.execute(`${slowTypes}\nlet ranFirst = true;\nwhile (true) {}`);
      await sleep(50);
      const started = Date.now();
      await viaMessage(k)();
      const { reply } = await running;
      expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(Date.now() - started).toBeLessThan(1000);
      const after = await k.client.execute("typeof (globalThis as { ranFirst?: unknown }).ranFirst");
      expect(resultText(after.iopub)).toBe("'undefined'");
    } finally {
      await k.close();
    }
  });
});
