// `await input(prompt)` over the real stdin channel: input_request to the
// client that asked, the reply resolves the call, password prompts, a clear
// error when the client takes no input, and interrupts end the wait.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import { KernelClient, sleep } from "../../kernel/client.js";

describe("input from the notebook's user", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("await input(prompt) asks the client on stdin and resolves with its input_reply", async () => {
    const asked: { prompt: string; password: boolean }[] = [];
    const { reply, iopub } = await k.client.execute('const name = await input("name? ");\n`hello ${name}`', {
      onInput: (prompt, password) => {
        asked.push({ prompt, password });
        return "Ada";
      },
    });
    expect(reply.content.status).toBe("ok");
    expect(asked).toEqual([{ prompt: "name? ", password: false }]);
    expect(resultText(iopub)).toBe("'hello Ada'");
  });

  it("input with { password: true } asks for a password", async () => {
    const asked: boolean[] = [];
    const { iopub } = await k.client.execute('(await input("secret: ", { password: true })).length', {
      onInput: (_prompt, password) => {
        asked.push(password);
        return "hunter2";
      },
    });
    expect(asked).toEqual([true]);
    expect(resultText(iopub)).toBe("7");
  });

  it("an input_reply with an empty parent_header, as jupyter console and the classic Notebook send, answers the question", async () => {
    const run = k.client.execute('await input("city? ")', {
      onInput: () => new Promise<string>(() => undefined), // answered below, by hand
    });
    await sleep(300);
    await k.client.sendMessage("stdin", k.client.session.makeHeader("input_reply"), { value: "Lyon" });
    const { iopub } = await run;
    expect(resultText(iopub)).toBe("'Lyon'");
  });

  it("several inputs in one cell are asked in order", async () => {
    const answers = ["3", "4"];
    const { iopub } = await k.client.execute('Number(await input("a")) * Number(await input("b"))', { onInput: () => answers.shift()! });
    expect(resultText(iopub)).toBe("12");
  });

  it("input with allow_stdin false fails the cell with an error that says why", async () => {
    const { reply } = await k.client.execute('await input("name? ")', { allow_stdin: false });
    expect(reply.content.status).toBe("error");
    expect(String(reply.content.evalue)).toMatch(/allow_stdin/);
    expect(String(reply.content.ename)).toBe("StdinNotImplementedError");
    // Its traceback shows the cell's line that asked, as IPython's does.
    expect((reply.content.traceback as string[]).join("\n")).toMatch(/Cell In\[\d+\], line 1[\s\S]*await input\("name\? "\)/);
  });

  it("an input() not awaited, from a client that takes no input (nbconvert), is reported under its cell before the cell ends", async () => {
    const { reply, iopub } = await k.client.execute('input("no await"); "x"', { allow_stdin: false });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'x'");
    const stderr = iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => String(m.content.text)).join("");
    expect(stderr).toContain("StdinNotImplementedError");
  });

  it("the input_request goes only to the client that sent the execute_request", async () => {
    const other = KernelClient.connect(k.kernel.connection);
    try {
      await other.waitForReady();
      let otherAsked = 0;
      // The other client would answer anything it is asked.
      const busy = other.execute("1", { onInput: () => String(++otherAsked) });
      await busy;
      const { iopub } = await k.client.execute('await input("mine? ")', { onInput: () => "from the first client" });
      expect(resultText(iopub)).toBe("'from the first client'");
      expect(otherAsked).toBe(0);
    } finally {
      other.close();
    }
  });

  it("an input() its cell did not await fails, once the cell has ended, with why no answer came", async () => {
    const { reply } = await k.client.execute('var notAwaited = input("later? "); 1', { onInput: () => new Promise<string>(() => undefined) });
    expect(reply.content.status).toBe("ok");
    const next = await k.client.execute("await notAwaited");
    expect(next.reply.content.status).toBe("error");
    expect(String(next.reply.content.evalue)).toContain("the cell that asked ended first");
  });

  it("input() from a timer whose cell has ended is refused, and the next cell's question gets its own answer", async () => {
    const asked: string[] = [];
    const onInput = (prompt: string) => {
      asked.push(prompt);
      return `answer to ${prompt}`;
    };
    await k.client.execute('setTimeout(async () => { try { await input("late> "); } catch (e) { console.log("refused:", (e as Error).message); } }, 100);', { onInput });
    await sleep(600);
    const { reply, iopub } = await k.client.execute('await input("now> ")', { onInput });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'answer to now> '");
    expect(asked).toEqual(["now> "]);
    const refused = k.client.unclaimed.find((m) => m.header.msg_type === "stream" && String(m.content.text).includes("refused:"));
    expect(String(refused?.content.text)).toContain("after its cell had ended");
  });

  it("an interrupt while input waits stops the wait with KeyboardInterrupt and the kernel goes on", async () => {
    let asked = false;
    const waiting = k.client.execute('const never = await input("wait: ");', {
      onInput: () => {
        asked = true;
        return new Promise<string>(() => undefined);
      },
    });
    await sleep(700);
    expect(asked).toBe(true);
    const started = Date.now();
    await k.client.request("control", "interrupt_request", {});
    const { reply } = await waiting;
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(Date.now() - started).toBeLessThan(1000);
    const next = await k.client.execute('console.log("still here"); 2 + 2');
    expect(streamText(next.iopub)).toBe("still here\n");
    expect(resultText(next.iopub)).toBe("4");
  });
  it("readline's rl.question on process.stdin asks the client through input_request and gets its answer", async () => {
    const asked: string[] = [];
    const code = [
      'import readline from "node:readline";',
      "const rl = readline.createInterface({ input: process.stdin, output: process.stdout });",
      'const name = await new Promise<string>((r) => rl.question("name? ", r));',
      "rl.close();",
      "name",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, {
      onInput: (prompt) => {
        asked.push(prompt);
        return "Ada";
      },
    });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'Ada'");
    // The prompt readline wrote goes in the input box, as input("name? ")'s does, not also above it.
    expect(asked).toEqual(["name? "]);
    expect(streamText(iopub)).toBe("");
  });

  it("the unfinished line a cell wrote before reading process.stdin is the question's prompt; the lines above it stay stdout", async () => {
    const asked: string[] = [];
    const answers = ["Ada", "36"];
    const code = [
      'import readline from "node:readline";',
      "const rl = readline.createInterface({ input: process.stdin, output: process.stdout });",
      'console.log("a form:");',
      'const name = await new Promise<string>((r) => rl.question("name? ", r));',
      'const age = await new Promise<string>((r) => rl.question("age? ", r));',
      "rl.close();",
      'console.log("done");',
      "`${name} ${age}`",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, {
      onInput: (prompt) => {
        asked.push(prompt);
        return answers.shift()!;
      },
    });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'Ada 36'");
    expect(asked).toEqual(["name? ", "age? "]);
    expect(streamText(iopub)).toBe("a form:\ndone\n");
  });

  it("process.stdout.write of an unfinished line, with no question after it, is printed as stdout", async () => {
    const { iopub } = await k.client.execute('process.stdout.write("x")');
    expect(streamText(iopub)).toBe("x");
    // Nor while a readline interface listens without asking: it is stdout once the cell ends.
    const code = [
      'import { createInterface } from "node:readline";',
      "const listening = createInterface({ input: process.stdin });",
      'process.stdout.write("working…");',
      "listening.close();",
    ].join("\n");
    const closed = await k.client.execute(code, { onInput: () => "unused" });
    expect(streamText(closed.iopub)).toBe("working…");
  });

  it("with allow_stdin false (nbconvert) the prompt readline wrote stays stdout", async () => {
    const code = [
      'import readline from "node:readline";',
      "const rl = readline.createInterface({ input: process.stdin, output: process.stdout });",
      'rl.question("name? ", () => undefined);',
      'await new Promise<void>((r) => rl.once("close", r));',
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, { allow_stdin: false });
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub)).toBe("name? ");
  });

  it("process.stdin reads a line per input_request: a data listener gets the answer and its newline, for await over readline gets lines", async () => {
    const chunk = await k.client.execute('await new Promise<string>((r) => process.stdin.once("data", (d) => r(String(d))))', { onInput: () => "first" });
    expect(resultText(chunk.iopub)).toBe("'first\\n'");
    const answers = ["one", "two"];
    const code = [
      'import { createInterface } from "node:readline";',
      "const lines: string[] = [];",
      "for await (const line of createInterface({ input: process.stdin })) {",
      "  lines.push(line);",
      "  if (lines.length === 2) break;",
      "}",
      "lines",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, { onInput: () => answers.shift()! });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ 'one', 'two' ]");
  });

  it("a for await loop over readline that breaks asks no further question, and the interface still asks for rl.question", async () => {
    const prompts: string[] = [];
    const answers = ["one", "two", "three"];
    const onInput = (prompt: string): string => {
      prompts.push(prompt);
      return answers.shift() ?? "none";
    };
    const code = [
      'import { createInterface } from "node:readline";',
      "const rl = createInterface({ input: process.stdin, output: process.stdout });",
      "const taken: string[] = [];",
      "for await (const line of rl) {",
      "  taken.push(line);",
      "  if (line === 'two') break;",
      "}",
      "taken",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, { onInput });
    expect(reply.content, JSON.stringify(iopub.map((m) => m.content))).toMatchObject({ status: "ok" });
    expect(resultText(iopub)).toBe("[ 'one', 'two' ]");
    // Node 20 leaves the interface reading after the loop: a third question (an input box no code
    // waits for) went out before the cell ended.
    await sleep(200);
    expect(prompts).toEqual(["", ""]);
    const later = await k.client.execute('await new Promise<string>((done) => rl.question("more? ", done))', { onInput });
    expect(later.reply.content, JSON.stringify(later.iopub.map((m) => m.content))).toMatchObject({ status: "ok" });
    expect(resultText(later.iopub)).toBe("'three'");
    // Answered, the interface asks nothing more of its own; a "line" listener makes it read again.
    await sleep(200);
    expect(prompts).toEqual(["", "", "more? "]);
    answers.push("four");
    const listened = await k.client.execute('await new Promise<string>((heard) => rl.once("line", heard))', { onInput });
    expect(resultText(listened.iopub)).toBe("'four'");
  });

  it("reading process.stdin with allow_stdin false (nbconvert) ends at once, as at the end of a file", async () => {
    const code = [
      'import { createInterface } from "node:readline";',
      "const lines: string[] = [];",
      "for await (const line of createInterface({ input: process.stdin })) lines.push(line);",
      "`${lines.length} lines`",
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code, { allow_stdin: false });
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'0 lines'");
    // And a later cell, from a client that takes input, reads again.
    const again = await k.client.execute('await new Promise<string>((r) => process.stdin.once("data", (d) => r(String(d))))', { onInput: () => "back" });
    expect(resultText(again.iopub)).toBe("'back\\n'");
  });

  it("a readline interface closed before it reads asks nothing", async () => {
    let asked = 0;
    const code = 'import { createInterface as make } from "node:readline";\nmake({ input: process.stdin }).close();\n"closed"';
    const { reply } = await k.client.execute(code, {
      onInput: () => {
        asked++;
        return "x";
      },
    });
    expect(reply.content.status).toBe("ok");
    expect(asked).toBe(0);
  });
});
