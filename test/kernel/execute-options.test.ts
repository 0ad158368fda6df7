// execute_request's options over the real protocol: user_expressions,
// silent, store_history and allow_stdin, as ipykernel honours them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import type { Message } from "../../kernel/messages.js";

const types = (iopub: Message[]) => iopub.map((message) => message.header.msg_type);

describe("execute_request options", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("user_expressions are evaluated after the cell, each its own result or error", async () => {
    const { reply, iopub } = await k.client.execute("const width = 6; const height = 7;", {
      user_expressions: { area: "width * height", label: '"w" + width', broken: "(() => { throw new RangeError(\"no\") })()" },
    });
    expect(reply.content.status).toBe("ok");
    const expressions = reply.content.user_expressions as Record<string, Record<string, unknown>>;
    expect(expressions.area).toEqual({ status: "ok", data: { "text/plain": "42" }, metadata: {} });
    expect(expressions.label).toMatchObject({ status: "ok", data: { "text/plain": "'w6'" } });
    expect(expressions.broken).toMatchObject({ status: "error", ename: "RangeError", evalue: "no" });
    expect(Array.isArray(expressions.broken!.traceback)).toBe(true);
    // They show nothing and count nothing.
    expect(types(iopub)).toEqual(["status", "execute_input", "status"]);
  });

  it("a user expression that ends in a line comment is evaluated, as IPython evaluates `x  # note`", async () => {
    const { reply } = await k.client.execute("", { user_expressions: { noted: "width * 2 // twice the width", spread: "width +\n  1" } });
    const expressions = reply.content.user_expressions as Record<string, Record<string, unknown>>;
    expect(expressions.noted).toEqual({ status: "ok", data: { "text/plain": "12" }, metadata: {} });
    expect(expressions.spread).toMatchObject({ status: "ok", data: { "text/plain": "7" } });
  });

  it("user_expressions are evaluated even when the cell fails", async () => {
    const { reply } = await k.client.execute('throw new Error("cell failed")', { user_expressions: { w: "width" } });
    expect(reply.content.status).toBe("error");
    expect((reply.content.user_expressions as Record<string, unknown>).w).toMatchObject({ status: "ok", data: { "text/plain": "6" } });
  });

  it("a silent cell runs but sends nothing on IOPub beyond busy and idle, and does not count", async () => {
    const before = (await k.client.execute("1")).reply.content.execution_count as number;
    const { reply, iopub } = await k.client.execute('console.log("hidden"); (globalThis as any).silentRan = true; 99', { silent: true });
    expect(reply.content.status).toBe("ok");
    expect(types(iopub)).toEqual(["status", "status"]);
    const after = await k.client.execute("(globalThis as any).silentRan");
    expect(resultText(after.iopub)).toBe("true");
    expect(after.reply.content.execution_count).toBe(before + 1);
  });

  it("a silent request that fails aborts none of the cells queued behind it (its error is shown nowhere), as ipykernel", async () => {
    // What a client's background request looks like (a variable inspector's, an extension's): the
    // user's own cell queued behind it must run, not be aborted for an error the user cannot see.
    const background = k.client.execute('await new Promise((r) => setTimeout(r, 300)); throw new Error("background failed");', { silent: true });
    const usersCell = k.client.execute('console.log("user cell ran"); 6 * 7');
    expect((await background).reply.content).toMatchObject({ status: "error", evalue: "background failed" });
    const { reply, iopub } = await usersCell;
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub)).toBe("user cell ran\n");
    expect(resultText(iopub)).toBe("42");
  });

  it("store_history false shows output but neither counts nor enters history", async () => {
    const first = (await k.client.execute("1")).reply.content.execution_count as number;
    const { reply, iopub } = await k.client.execute('console.log("shown"); "unstored-marker"', { store_history: false });
    expect(streamText(iopub)).toBe("shown\n");
    expect(resultText(iopub)).toBe("'unstored-marker'");
    expect(reply.content.execution_count).toBe(first);
    const history = await k.client.request("shell", "history_request", { hist_access_type: "search", pattern: "*unstored-marker*", output: false, raw: true });
    expect(history.reply.content.history).toEqual([]);
  });
});
