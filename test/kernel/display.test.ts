// The display API over the real protocol: display_data with every MIME type a
// value offers, display ids and update_display_data, clear_output, the typed
// shortcuts and the Symbol.for("Jupyter.display") convention (Deno's).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type TestKernel } from "../helpers/kernel.js";
import type { Message } from "../../kernel/messages.js";

const ofType = (iopub: Message[], type: string) => iopub.filter((message) => message.header.msg_type === type);

describe("displaying values", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("display(value, { displayId }) returns a handle whose update() sends update_display_data with the same display_id", async () => {
    const { reply, iopub } = await k.client.execute('const handle = await display("first", { displayId: "progress" });\nawait handle.update("second");\nhandle.displayId');
    expect(reply.content.status).toBe("ok");
    const [shown] = ofType(iopub, "display_data");
    expect(shown!.content).toMatchObject({ data: { "text/plain": "'first'" }, transient: { display_id: "progress" } });
    const [updated] = ofType(iopub, "update_display_data");
    expect(updated!.content).toMatchObject({ data: { "text/plain": "'second'" }, transient: { display_id: "progress" } });
  });

  it("a handle kept from an earlier cell updates its output from a later cell, under the later request", async () => {
    const { reply, iopub } = await k.client.execute('await handle.update("third");');
    expect(reply.content.status).toBe("ok");
    const [updated] = ofType(iopub, "update_display_data");
    expect(updated!.content).toMatchObject({ data: { "text/plain": "'third'" }, transient: { display_id: "progress" } });
  });

  it("displayId true makes up a display id", async () => {
    const { iopub } = await k.client.execute("const made = await display(1, { displayId: true });\nmade.displayId.length > 10");
    const [shown] = ofType(iopub, "display_data");
    expect(typeof (shown!.content.transient as { display_id?: string }).display_id).toBe("string");
  });

  it("display.html(…, { displayId }) gives a handle (no type error) whose update(html) replaces the output with the new HTML", async () => {
    const { reply, iopub } = await k.client.execute('const bar = await display.html("<i>0%</i>", { displayId: true });\nawait bar.update("<i>100%</i>");');
    expect(reply.content.status).toBe("ok");
    const [updated] = ofType(iopub, "update_display_data");
    expect(updated!.content.data).toEqual({ "text/html": "<i>100%</i>", "text/plain": "<HTML>" });
  });

  it("a png handle's update takes the new image's bytes, as display.png does", async () => {
    const { reply, iopub } = await k.client.execute('const pic = await display.png("AAAA", { displayId: "pic" });\nawait pic.update(new Uint8Array([1, 2, 3]));');
    expect(reply.content.status).toBe("ok");
    const [updated] = ofType(iopub, "update_display_data");
    expect(updated!.content.data).toEqual({ "image/png": Buffer.from([1, 2, 3]).toString("base64"), "text/plain": "<PNG image>" });
  });

  it("clearOutput(true) sends clear_output with wait true, clearOutput() with wait false", async () => {
    const { iopub } = await k.client.execute('console.log("before"); clearOutput(true); clearOutput();');
    expect(ofType(iopub, "clear_output").map((message) => message.content)).toEqual([{ wait: true }, { wait: false }]);
  });

  it("display.html, markdown, svg, png, jpeg, json and latex each send their MIME type", async () => {
    const code = [
      'await display.html("<b>bold</b>");',
      'await display.markdown("# Title");',
      'await display.svg("<svg xmlns=\\"http://www.w3.org/2000/svg\\"></svg>");',
      "await display.png(new Uint8Array([137, 80, 78, 71]));",
      'await display.jpeg("/9j/4AAQ");',
      "await display.json({ a: [1, 2] });",
      'await display.latex("$x^2$");',
    ].join("\n");
    const { reply, iopub } = await k.client.execute(code);
    expect(reply.content.status).toBe("ok");
    const data = ofType(iopub, "display_data").map((message) => message.content.data as Record<string, unknown>);
    expect(data.map((bundle) => Object.keys(bundle).filter((key) => key !== "text/plain"))).toEqual([
      ["text/html"],
      ["text/markdown"],
      ["image/svg+xml"],
      ["image/png"],
      ["image/jpeg"],
      ["application/json"],
      ["text/latex"],
    ]);
    expect(data[0]!["text/html"]).toBe("<b>bold</b>");
    expect(data[3]!["image/png"]).toBe(Buffer.from([137, 80, 78, 71]).toString("base64"));
    expect(data[5]!["application/json"]).toEqual({ a: [1, 2] });
    for (const bundle of data) expect(typeof bundle["text/plain"]).toBe("string");
  });

  it("an object with [Symbol.for(\"Jupyter.display\")]() as the last expression gives an execute_result with all its MIME types", async () => {
    const code = [
      "class Chart {",
      '  [Symbol.for("Jupyter.display")]() {',
      '    return { "text/html": "<table></table>", "text/markdown": "| a |", "image/svg+xml": "<svg/>" };',
      "  }",
      "}",
      "new Chart()",
    ].join("\n");
    const { iopub } = await k.client.execute(code);
    const [result] = ofType(iopub, "execute_result");
    const data = result!.content.data as Record<string, unknown>;
    expect(data).toMatchObject({ "text/html": "<table></table>", "text/markdown": "| a |", "image/svg+xml": "<svg/>" });
    expect(typeof data["text/plain"]).toBe("string");
    expect(typeof result!.content.execution_count).toBe("number");
  });

  it("display() of such an object sends display_data with its bundle", async () => {
    const { iopub } = await k.client.execute('await display({ [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "plain", "text/html": "<i>rich</i>" }) });');
    const [shown] = ofType(iopub, "display_data");
    expect(shown!.content.data).toEqual({ "text/plain": "plain", "text/html": "<i>rich</i>" });
  });

  it("display, clearOutput and console.log reach the notebook in the order of the calls, without await", async () => {
    const { iopub } = await k.client.execute('for (let i = 0; i < 3; i++) { clearOutput(true); display("frame " + i); }\ndisplay("last"); console.log("printed after");');
    const shown = iopub
      .filter((message) => ["clear_output", "display_data", "stream"].includes(message.header.msg_type))
      .map((message) => (message.header.msg_type === "display_data" ? (message.content.data as Record<string, string>)["text/plain"] : message.header.msg_type === "stream" ? message.content.text : "clear"));
    expect(shown).toEqual(["clear", "'frame 0'", "clear", "'frame 1'", "clear", "'frame 2'", "'last'", "printed after\n"]);
  });

  it("a cell ending in display(…) shows the display and no result, as IPython's display returns None", async () => {
    const { iopub } = await k.client.execute('display.html("<b>hi</b>")');
    expect(ofType(iopub, "display_data")).toHaveLength(1);
    expect(ofType(iopub, "execute_result")).toEqual([]);
  });

  it("an async display method's bundle is shown too", async () => {
    const { iopub } = await k.client.execute('display({ [Symbol.for("Jupyter.display")]: async () => ({ "text/html": "<i>later</i>" }) })');
    const [shown] = ofType(iopub, "display_data");
    expect((shown!.content.data as Record<string, string>)["text/html"]).toBe("<i>later</i>");
  });

  it("a weakref.proxy whose object was collected is shown as its repr, not as an error", async () => {
    await k.client.execute("let gone: object | undefined = { n: 1 };\nconst deadProxy = weakref.proxy(gone);\ngone = undefined;\nawait gc();");
    const { reply, iopub } = await k.client.execute("deadProxy");
    expect(reply.content.status).toBe("ok");
    const [result] = ofType(iopub, "execute_result");
    expect((result!.content.data as Record<string, string>)["text/plain"]).toMatch(/^<weakproxy at #\d+; dead>$/);
  });

  it("a Proxy as a cell's value or display()ed shows its target as Node's REPL does, without running its traps", async () => {
    const cell = 'const seen: string[] = [];\nconst logged = new Proxy({ a: 1 }, { get(target, key) { seen.push(String(key)); return Reflect.get(target, key) } });\ndisplay(logged);\nlogged';
    const { reply, iopub } = await k.client.execute(cell);
    expect(reply.content.status).toBe("ok");
    expect(ofType(iopub, "display_data")[0]!.content).toMatchObject({ data: { "text/plain": "{ a: 1 }" } });
    expect(ofType(iopub, "execute_result")[0]!.content).toMatchObject({ data: { "text/plain": "{ a: 1 }" } });
    const after = await k.client.execute("seen");
    expect(ofType(after.iopub, "execute_result")[0]!.content).toMatchObject({ data: { "text/plain": "[]" } });
  });

  it("a weakref.proxy shows through its referent's display method, as IPython finds _repr_html_ through a CPython proxy", async () => {
    const cell = 'const shown = { [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>shown</b>" } } };\nweakref.proxy(shown)';
    const { iopub } = await k.client.execute(cell);
    expect(ofType(iopub, "execute_result")[0]!.content).toMatchObject({ data: { "text/html": "<b>shown</b>" } });
  });

});
