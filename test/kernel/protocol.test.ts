// The kernel over real ZeroMQ sockets, driven by the project's protocol client.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import type { Message } from "../../kernel/messages.js";
import { sleep } from "../../kernel/client.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const types = (iopub: Message[]) => iopub.map((message) => message.header.msg_type);

describe("a running kernel", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("answers kernel_info with protocol 5.3, the TypeScript language info and a banner", async () => {
    const { reply } = await k.client.request("shell", "kernel_info_request", {});
    expect(reply.header.msg_type).toBe("kernel_info_reply");
    const content = reply.content as Record<string, any>;
    expect(content.status).toBe("ok");
    expect(content.protocol_version).toBe("5.3");
    expect(content.implementation).toBe("ephemeron");
    expect(content.language_info).toMatchObject({
      name: "typescript",
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "application/typescript",
      nbconvert_exporter: "script",
    });
    expect(content.language_info.version).toMatch(/^7\./);
    expect(content.banner).toContain("ephemeron");
    // JupyterLab's Help menu lists these: pages that exist (ephemeron is not on npm, so no link there).
    const urls = (content.help_links as { url: string }[]).map((link) => link.url);
    expect(urls).toEqual(expect.arrayContaining(["https://docs.python.org/3/library/weakref.html", "https://www.typescriptlang.org/docs/handbook/intro.html", "https://nodejs.org/api/"]));
    expect(urls.filter((url) => url.includes("npmjs.com"))).toEqual([]);
  });

  it("wraps every request in busy and idle under the request's parent header", async () => {
    const { reply, iopub } = await k.client.execute("1 + 1");
    expect(types(iopub)[0]).toBe("status");
    expect(iopub[0]!.content).toEqual({ execution_state: "busy" });
    expect(iopub.at(-1)!.content).toEqual({ execution_state: "idle" });
    expect(types(iopub)).toEqual(["status", "execute_input", "execute_result", "status"]);
    for (const message of iopub) expect((message.parent_header as { msg_id: string }).msg_id).toBe((reply.parent_header as { msg_id: string }).msg_id);
  });

  it("streams stdout and stderr and shows the last expression as the result", async () => {
    const { reply, iopub } = await k.client.execute('console.log("out"); console.error("err"); process.stdout.write("raw\\n"); 6 * 7');
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub, "stdout")).toBe("out\nraw\n");
    expect(streamText(iopub, "stderr")).toBe("err\n");
    expect(resultText(iopub)).toBe("42");
  });

  it("shows results as Node's REPL prints them, without colour codes", async () => {
    const { iopub } = await k.client.execute('({ name: "x", list: [1, 2, 3] })');
    expect(resultText(iopub)).toBe("{ name: 'x', list: [ 1, 2, 3 ] }");
    const deep = await k.client.execute("({ a: { b: { c: { d: 1 } } } })");
    expect(resultText(deep.iopub)).toBe("{ a: { b: { c: [Object] } } }");
    const text = await k.client.execute('"a string"');
    expect(resultText(text.iopub)).toBe("'a string'");
    expect(resultText(iopub)).not.toMatch(/\u001b/);
  });

  it("sends a string cut through an emoji with U+FFFD for the half, as UTF-8 output shows it: a lone surrogate in a message made the Notebook's save and nbconvert's write fail", async () => {
    const cut = '"I ❤️ 😀 emoji".slice(0, 6)';
    const { reply, iopub } = await k.client.execute(`console.log(${cut});\nawait display.html(${cut});\nthrow new Error(${cut})`);
    expect(reply.content.status).toBe("error");
    expect(streamText(iopub)).toBe("I ❤️ \ufffd\n");
    // Every string of every message, as Python's json reads it and a notebook file must hold it.
    const strings: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === "string") strings.push(value);
      else if (value !== null && typeof value === "object") for (const item of Object.values(value)) walk(item);
    };
    walk([...iopub.map((message) => message.content), reply.content]);
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    expect(strings.filter((text) => loneSurrogate.test(text))).toEqual([]);
    expect(strings.filter((text) => text.includes("I ❤️ \ufffd")).length).toBeGreaterThanOrEqual(3);
  });

  it("reports a thrown error with its name, message and the cell's line", async () => {
    const { reply, iopub } = await k.client.execute('const a = 1;\nthrow new RangeError("too far");');
    expect(reply.content).toMatchObject({ status: "error", ename: "RangeError", evalue: "too far" });
    const error = iopub.find((message) => message.header.msg_type === "error")!;
    const traceback = (error.content.traceback as string[]).join("\n");
    expect(traceback).toMatch(/Cell In\[\d+\], line 2/);
    expect(traceback).toContain('throw new RangeError("too far")');
  });

  it("names the function of each frame in a traceback, as IPython does (`Cell In[3], line 2, in area()`), and not the cell's own top level", async () => {
    const { count } = await k.client.execute(
      ["class Shape {", "  constructor(readonly side: number) {}", "  area(): number {", '    throw new Error("no area");', "  }", "}", "function measure(s: Shape) {", "  return s.area();", "}", "measure(new Shape(2));"].join("\n"),
    ).then(({ reply }) => ({ count: reply.content.execution_count as number }));
    const { iopub } = await k.client.execute("const shapes = [new Shape(1)];\nshapes.map((s) => measure(s));");
    const error = iopub.find((message) => message.header.msg_type === "error")!;
    const headers = (error.content.traceback as string[]).filter((line) => line.startsWith("Cell In["));
    // Outermost first, as Python prints them; an arrow function has no name to give.
    expect(headers, JSON.stringify(headers)).toEqual([`Cell In[${count + 1}], line 2`, `Cell In[${count + 1}], line 2`, `Cell In[${count}], line 8, in measure()`, `Cell In[${count}], line 4, in Shape.area()`]);
  });

  it("answers `expr?` and `?expr` with the signature and documentation as a pager payload, running nothing", async () => {
    for (const code of ["Math.max?", "?Math.max", "Math.max??"]) {
      const { reply, iopub } = await k.client.execute(code);
      expect(reply.content.status).toBe("ok");
      const payload = reply.content.payload as { source: string; data: Record<string, string> }[];
      expect(payload).toHaveLength(1);
      expect(payload[0]!.source).toBe("page");
      expect(payload[0]!.data["text/plain"]).toContain("max(...values: number[]): number");
      expect(iopub.map((message) => message.header.msg_type)).not.toContain("error");
    }
  });

  it("shows a variable's value with its type in `x?` help, as IPython's string form, and the value alone where the type says nothing", async () => {
    await k.client.execute('/** Sizes measured. */\nconst sizes = [3, 1, 2];\nlet loose: any = { inner: { depth: 2 } };\nlet calls = 0;\nconst counted = { get n() { return ++calls; } };');
    const page = async (code: string) => {
      const { reply } = await k.client.execute(code);
      return (reply.content.payload as { data: Record<string, string> }[])[0]!.data;
    };
    const sizes = await page("sizes?");
    expect(sizes["text/plain"]).toBe("const sizes: number[]\n\nValue: [ 3, 1, 2 ]\n\nSizes measured.");
    expect(sizes["text/markdown"]).toBe("```typescript\nconst sizes: number[]\n```\n\nValue:\n\n```\n[ 3, 1, 2 ]\n```\n\nSizes measured.");
    expect((await page("loose.inner?"))["text/plain"]).toBe("Value: { depth: 2 }");
    // A function's value is its signature; a call is not evaluated to show what it gives.
    expect((await page("Math.max?"))["text/plain"]).not.toContain("Value:");
    const call = await k.client.execute("sizes.slice(1)?");
    expect(JSON.stringify(call.reply.content.payload) + streamText(call.iopub)).not.toContain("Value:");
    expect((await page("counted?"))["text/plain"]).toContain("Value: { n: [Getter] }");
    expect(await k.client.execute("calls").then(({ iopub }) => resultText(iopub))).toBe("0");
  });

  it("shows a notebook variable's value in inspect_request's tooltip as `x?` lays it out, and not for a parameter or local of its spelling, nor through a getter", async () => {
    await k.client.execute('/** Ages kept. */\nconst ages = [7, 9];\nlet vague: any = { deep: { level: 3 } };\nlet reads = 0;\nconst guarded = { get n() { return ++reads; } };');
    const tooltip = async (code: string, cursor_pos = [...code].length) => {
      const { reply } = await k.client.request("shell", "inspect_request", { code, cursor_pos, detail_level: 0 });
      expect(reply.content.status).toBe("ok");
      expect(Object.keys(reply.content).sort()).toEqual(["data", "found", "metadata", "status"]);
      return reply.content.data as Record<string, string>;
    };
    const ages = await tooltip("ages");
    expect(ages["text/plain"]).toBe("const ages: number[]\n\nValue: [ 7, 9 ]\n\nAges kept.");
    expect(ages["text/markdown"]).toBe("```typescript\nconst ages: number[]\n```\n\nValue:\n\n```\n[ 7, 9 ]\n```\n\nAges kept.");
    expect((await tooltip("ages.length"))["text/plain"]).toContain("Value: 2");
    expect((await tooltip("vague.deep"))["text/plain"]).toBe("Value: { level: 3 }");
    const parameter = "function older(ages: number) { return ages + 1; }";
    expect((await tooltip(parameter, parameter.indexOf("ages +") + 1))["text/plain"]).toBe("(parameter) ages: number");
    const local = "function kept() { const ages = 'mine'; return ages; }";
    expect((await tooltip(local, local.lastIndexOf("ages") + 1))["text/plain"]).not.toContain("Value:");
    expect((await tooltip("Math.PI"))["text/plain"]).not.toContain("Value:");
    expect((await tooltip("guarded.n"))["text/plain"]).not.toContain("Value:");
    expect(await k.client.execute("reads").then(({ iopub }) => resultText(iopub))).toBe("0");
  });

  it("shows with `f??` the source of a function or class a cell declared, as IPython's `??`, and with `f?` or for a global only the signature", async () => {
    await k.client.execute("/** Halves. */\nexport function halve(n: number): number {\n  return n / 2; // exact\n}\nclass Crate<T> { constructor(public item: T) {} }");
    await k.client.execute("function again() { return 1; }");
    await k.client.execute("function again() { return 2; }");
    const page = async (code: string) => {
      const { reply } = await k.client.execute(code);
      return (reply.content.payload as { data: Record<string, string> }[])[0]!.data;
    };
    const halve = await page("halve??");
    expect(halve["text/plain"]).toBe("function halve(n: number): number\n\nHalves.\n\nSource:\nfunction halve(n: number): number {\n  return n / 2; // exact\n}");
    expect(halve["text/markdown"]).toContain("Source:\n\n```typescript\nfunction halve(n: number): number {\n  return n / 2; // exact\n}\n```");
    expect((await page("??Crate"))["text/plain"]).toContain("Source:\nclass Crate<T> { constructor(public item: T) {} }");
    expect((await page("again??"))["text/plain"]).toContain("Source:\nfunction again() { return 2; }");
    expect((await page("halve?"))["text/plain"]).not.toContain("Source:");
    expect((await page("Math.max??"))["text/plain"]).not.toContain("Source:");
    const { reply } = await k.client.request("shell", "inspect_request", { code: "halve(4)", cursor_pos: 2, detail_level: 1 });
    expect((reply.content.data as Record<string, string>)["text/plain"]).toContain("Source:\nfunction halve(n: number): number {");
  });

  it("runs a cell with a help request on a line of its own, as IPython does: the code first, then the page for the request", async () => {
    const { reply, iopub } = await k.client.execute('const measured = [4, 5];\nconsole.log("ran");\nmeasured?');
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub)).toBe("ran\n");
    const payload = reply.content.payload as { source: string; data: Record<string, string> }[];
    expect(payload).toHaveLength(1);
    expect(payload[0]!.data["text/plain"]).toContain("Value: [ 4, 5 ]");
    // The code's value is not the cell's result when a help request ends the cell; later cells see what it declared.
    expect(types(iopub)).not.toContain("execute_result");
    expect(await k.client.execute("measured.length").then(({ iopub: later }) => resultText(later))).toBe("2");
    // `??` on a line of its own in code that reads on is TypeScript, not help.
    expect(await k.client.execute("const none = (): number[] | undefined => undefined;\nconst fallback = none()\n  ?? measured\nfallback.length").then(({ iopub: later }) => resultText(later))).toBe("2");
    // A failing line before the request fails the cell, and nothing is paged.
    const failed = await k.client.execute('throw new Error("before help");\nmeasured?');
    expect(failed.reply.content).toMatchObject({ status: "error", evalue: "before help" });
    expect(failed.reply.content.payload ?? []).toEqual([]);
    // A cell that does not parse either way keeps its own syntax error: a ternary's `? b` line is no help request there.
    const broken = await k.client.execute("const picked = measured.length > 1\n  ? measured\n  : [];\nconst = 1;");
    expect(broken.reply.content).toMatchObject({ status: "error", ename: "SyntaxError" });
    expect((broken.reply.content.traceback as string[]).join("\n")).toContain("line 4");
    // jupyter console runs such an input as it stands, as IPython's does, instead of asking for more lines.
    const finished = await k.client.request("shell", "is_complete_request", { code: "const more = [1];\nmore?" });
    expect(finished.reply.content).toMatchObject({ status: "complete" });
  });

  it("says of a name nothing knows what IPython says, under the cell, and opens no pager", async () => {
    const { reply, iopub } = await k.client.execute("nothingNamedSo?");
    expect(reply.content).toMatchObject({ status: "ok", payload: [] });
    expect(streamText(iopub)).toBe("Object `nothingNamedSo` not found.\n");
  });

  it("answers a bare exit or quit with IPython's ask_exit payload, so jupyter console closes", async () => {
    const { reply } = await k.client.execute("exit");
    expect(reply.content.payload).toEqual([{ source: "ask_exit", keepkernel: false }]);
  });

  it("shows a notebook's own quit instead of asking to exit", async () => {
    await k.client.execute('const quit = "mine";');
    const { reply, iopub } = await k.client.execute("quit");
    expect(reply.content.payload).toEqual([]);
    expect(resultText(iopub)).toBe("'mine'");
  });

  it("counts executions as ipykernel does: store_history advances the count, silent runs show nothing", async () => {
    const first = await k.client.execute("1");
    const n = first.reply.content.execution_count as number;
    const second = await k.client.execute("2");
    expect(second.reply.content.execution_count).toBe(n + 1);
    const unstored = await k.client.execute("3", { store_history: false });
    expect(unstored.reply.content.execution_count).toBe(n + 1);
    const silent = await k.client.execute('console.log("hidden"); 4', { silent: true });
    expect(types(silent.iopub)).toEqual(["status", "status"]);
    // A cell of only whitespace counts for nothing, as in IPython, and is not history.
    const blank = await k.client.execute("  \n ");
    expect(blank.reply.content).toMatchObject({ status: "ok", execution_count: n + 1 });
    const after = await k.client.execute("5");
    expect(after.reply.content.execution_count).toBe(n + 2);
    const history = await k.client.request("shell", "history_request", { hist_access_type: "tail", n: 3, output: false, raw: true });
    expect((history.reply.content.history as [number, number, string][]).map(([, , input]) => input)).not.toContain("  \n ");
  });

  it("keeps answering heartbeats while a cell busy-loops for 3 seconds", async () => {
    const busy = k.client.execute("const end = Date.now() + 3000; while (Date.now() < end) {}");
    await sleep(300);
    const pings: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      pings.push(await k.client.ping(1000));
      await sleep(200);
    }
    await busy;
    expect(pings).toEqual([true, true, true, true, true]);
  });

  it("keeps variables, functions and classes from cell to cell, and lets a cell be run again", async () => {
    await k.client.execute("class Greeter { hi() { return 'hi'; } }\nconst g = new Greeter();");
    await k.client.execute("class Greeter { hi() { return 'hello'; } }\nconst g = new Greeter();");
    const { iopub } = await k.client.execute("g.hi()");
    expect(resultText(iopub)).toBe("'hello'");
  });

  it("shows, before the cell's idle, what its zero-delay timers, immediates and unhandled rejections print", async () => {
    const { iopub } = await k.client.execute(
      'setImmediate(() => console.log("immediate"));\nsetTimeout(() => { console.log("timeout 0"); setTimeout(() => console.log("nested"), 5); }, 0);\n' +
        'const dropped = setTimeout(() => console.log("cleared"), 5); clearTimeout(dropped);\nPromise.reject(new Error("nobody caught me"));\n"sync"',
    );
    expect(resultText(iopub)).toBe("'sync'");
    expect(streamText(iopub)).toBe("immediate\ntimeout 0\nnested\n");
    expect(streamText(iopub, "stderr")).toContain("Unhandled promise rejection");
    expect(streamText(iopub, "stderr")).toContain("nobody caught me");
    expect(iopub.at(-1)?.content.execution_state).toBe("idle");
    await sleep(100);
    expect(k.client.unclaimed.filter((message) => message.header.msg_type === "stream")).toEqual([]);
  });

  it("shows what a timer threw or a promise rejected with when it is no Error (throw 42, reject('reason'))", async () => {
    const { iopub } = await k.client.execute('setTimeout(() => { throw 42; }, 0);\nPromise.reject("plain reason");\nawait new Promise((done) => setTimeout(done, 20));');
    const stderr = streamText(iopub, "stderr").replace(/\u001b\[[0-9;]*m/g, "");
    expect(stderr).toContain("Unhandled promise rejection:\nUncaught: 'plain reason'");
    expect(stderr).toContain("Uncaught exception:\nUncaught: 42");
  });

  it("leaves an error no cell caught to the notebook's own process.on handler, as Node does, and reports it again once that is gone", async () => {
    const code = [
      'const mine = (e: unknown) => console.log("handled:", (e as Error).message);',
      'process.on("uncaughtException", mine);',
      'process.on("unhandledRejection", mine);',
      'setTimeout(() => { throw new Error("from a timer"); }, 0);',
      'void Promise.reject(new Error("rejected"));',
      "await new Promise((resolve) => setTimeout(resolve, 20));",
      'process.off("uncaughtException", mine);',
      'process.off("unhandledRejection", mine);',
    ].join("\n");
    const handled = await k.client.execute(code);
    expect(streamText(handled.iopub).split("\n").sort()).toEqual(["", "handled: from a timer", "handled: rejected"]);
    expect(streamText(handled.iopub, "stderr")).toBe("");
    const reported = await k.client.execute('setTimeout(() => { throw new Error("no handler now"); }, 0);');
    expect(streamText(reported.iopub, "stderr")).toContain("Uncaught exception");
  });

  it("sends what a cell prints while its synchronous code still holds the thread, as Python's output streams", async () => {
    // The cell spins until the test has seen its first line: it ends "released" only if that line came while it ran.
    const mark = join(mkdtempSync(join(tmpdir(), "ephemeron-stream-")), "seen");
    const code = [
      'const fs = require("node:fs");',
      'console.log("start");',
      "const until = Date.now() + 15000;",
      `while (!fs.existsSync(${JSON.stringify(mark)}) && Date.now() < until) {}`,
      `console.log(fs.existsSync(${JSON.stringify(mark)}) ? "released" : "never released");`,
    ].join("\n");
    const { iopub } = await k.client.execute(code, {
      onIopub: (message) => {
        if (message.header.msg_type === "stream" && String(message.content.text).includes("start")) writeFileSync(mark, "");
      },
    });
    expect(streamText(iopub)).toBe("start\nreleased\n");
  });

  it("routes output of a timer to the cell that started it", async () => {
    const starter = await k.client.execute('setTimeout(() => console.log("from the timer"), 300); "started"');
    expect(resultText(starter.iopub)).toBe("'started'");
    await sleep(600);
    const late = k.client.unclaimed.filter((message) => message.header.msg_type === "stream");
    expect(late.some((message) => message.content.text === "from the timer\n")).toBe(true);
    expect((late.at(-1)!.parent_header as { msg_id: string }).msg_id).toBe((starter.reply.parent_header as { msg_id: string }).msg_id);
  });
});

describe("a cell that ends the runtime", () => {
  it("reports process.exit(3) with its code, and the next cell runs in a fresh runtime", async () => {
    const k = await startKernel();
    try {
      await k.client.execute("const before = 1");
      const { reply } = await k.client.execute("process.exit(3)");
      expect(reply.content.status).toBe("error");
      expect(reply.content.ename).toBe("RuntimeDied");
      expect(String(reply.content.evalue)).toContain("exited with code 3");
      const next = await k.client.execute('// @ts-nocheck\ntypeof before === "undefined" ? "fresh" : "stale"');
      expect(resultText(next.iopub)).toBe("'fresh'");
      // The type checker forgot the lost cells too: using their names is a type error, not a ReferenceError at run time.
      const using = await k.client.execute("before + 1");
      expect(String(using.reply.content.evalue)).toContain("TS2304 (line 1, col 1): Cannot find name 'before'.");
      const again = await k.client.execute('const before = "declared again";\nbefore');
      expect(resultText(again.iopub)).toBe("'declared again'");
    } finally {
      await k.close();
    }
  });
});

describe("a runtime that ends between cells", () => {
  it("is reported on stderr at the start of the next cell, which runs in a fresh runtime, and only there", async () => {
    const k = await startKernel();
    try {
      const pid = Number(resultText((await k.client.execute("const kept = 1;\nsetTimeout(() => process.exit(4), 200);\nprocess.pid")).iopub));
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await sleep(50);
      expect(alive(pid)).toBe(false);
      const next = await k.client.execute('// @ts-nocheck\ntypeof kept === "undefined" ? "fresh" : "stale"');
      expect(resultText(next.iopub)).toBe("'fresh'");
      const notice = streamText(next.iopub, "stderr");
      expect(notice).toContain("exited with code 4");
      expect(notice).toMatch(/after cell In\[1\] ended/);
      expect(notice).toMatch(/variable.*lost/);
      // Before the cell's own output, and said once.
      expect(next.iopub.map((m) => m.header.msg_type).filter((t) => t !== "status")).toEqual(["execute_input", "stream", "execute_result"]);
      const after = await k.client.execute("1 + 1");
      expect(streamText(after.iopub, "stderr")).toBe("");
    } finally {
      await k.close();
    }
  });
});

describe("a runtime that cannot start", () => {
  it("fails the cell with the reason, and says nothing of lost variables it never had", async () => {
    const k = await startKernel({ extraArgs: ["--runtime-flag=--no-such-node-flag"] });
    try {
      const { reply, iopub } = await k.client.execute("1 + 1");
      expect(reply.content).toMatchObject({ status: "error", ename: "InternalError" });
      expect(String(reply.content.evalue)).toContain("could not start the runtime");
      expect(streamText(iopub, "stderr")).not.toMatch(/variable/);
    } finally {
      await k.close();
    }
  });

  it("is not started again and again while no cell asks for it (each try forks a Node process)", async () => {
    const k = await startKernel({ extraArgs: ["--runtime-flag=--no-such-node-flag"] });
    try {
      await sleep(3000);
      const tries = () => (k.kernel.stderr().match(/runtime \d+ exited with code/g) ?? []).length;
      expect(tries()).toBeLessThanOrEqual(1);
      const { reply } = await k.client.execute("1 + 1");
      expect(String(reply.content.evalue)).toContain("could not start the runtime");
      await sleep(2000);
      expect(tries()).toBeLessThanOrEqual(2);
    } finally {
      await k.close();
    }
  });
});

describe("a kernel whose stderr nobody reads any more", () => {
  it("keeps serving when it logs (the reader of its stderr, a server's log pipe, went away), instead of dying of EPIPE", async () => {
    const k = await startKernel();
    try {
      let exited = false;
      void k.kernel.exited.then(() => (exited = true));
      k.kernel.process.stderr!.destroy();
      // The kernel logs the runtime's exit on stderr.
      const died = await k.client.execute("process.exit(3)");
      expect(died.reply.content.ename).toBe("RuntimeDied");
      const next = await k.client.execute("1 + 1");
      expect(resultText(next.iopub)).toBe("2");
      expect(exited).toBe(false);
    } finally {
      await k.close();
    }
  });
});

describe("shutting down", () => {
  it("replies, exits and leaves no runtime process behind", async () => {
    const k = await startKernel();
    const { iopub } = await k.client.execute("process.pid");
    const runtimePid = Number(resultText(iopub));
    expect(alive(runtimePid)).toBe(true);
    const { reply } = await k.client.request("control", "shutdown_request", { restart: false });
    expect(reply.content).toEqual({ status: "ok", restart: false });
    const exit = await k.kernel.exited;
    expect(exit.code).toBe(0);
    await sleep(100);
    expect(alive(runtimePid)).toBe(false);
    await k.close();
  });

  it("leaves no runtime behind when the kernel is killed with SIGKILL", async () => {
    const k = await startKernel();
    const runtimePid = Number(resultText((await k.client.execute("process.pid")).iopub));
    k.kernel.process.kill("SIGKILL");
    await k.kernel.exited;
    const deadline = Date.now() + 5000;
    while (alive(runtimePid) && Date.now() < deadline) await sleep(50);
    expect(alive(runtimePid)).toBe(false);
    await k.close();
  });
});
