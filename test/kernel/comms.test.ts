// Comms over the real protocol, both ways: comm_info_request (with a
// target_name filter), comm_open / comm_msg / comm_close from the frontend to
// targets the cell registered, and from the cell to the frontend, binary
// buffers kept; the runtime side is the notebook's `comm` global.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, streamText, type TestKernel } from "../helpers/kernel.js";
import type { Message } from "../../kernel/messages.js";
import { sleep } from "../../kernel/client.js";

/** Sends a comm message (no reply exists) and gathers its IOPub messages up to idle. */
async function sendComm(k: TestKernel, msgType: string, content: Record<string, unknown>, buffers: Buffer[] = []): Promise<Message[]> {
  const header = k.client.session.makeHeader(msgType);
  await k.client.sendRaw("shell", k.client.session.serialize({ identities: [], header, parent_header: {}, metadata: {}, content, buffers }));
  const mine = (message: Message) => (message.parent_header as { msg_id?: string }).msg_id === header.msg_id;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const seen = k.client.unclaimed.filter(mine);
    if (seen.some((message) => message.header.msg_type === "status" && message.content.execution_state === "idle")) return seen;
    await sleep(20);
  }
  throw new Error(`no idle for ${msgType}`);
}

const ofType = (iopub: Message[], type: string) => iopub.filter((message) => message.header.msg_type === type);

describe("comms", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("a frontend's comm_open reaches the registered target, its comm_msg with buffers reaches onMsg, and replies come back on IOPub", async () => {
    const setup = await k.client.execute(
      [
        "const received: string[] = [];",
        'comm.registerTarget("echo", (c, open) => {',
        "  received.push(`open ${JSON.stringify(open.data)}`);",
        "  c.onMsg((message) => {",
        "    received.push(`msg ${JSON.stringify(message.data)} ${message.buffers.map((b) => Array.from(b).join(',')).join('|')}`);",
        "    c.send({ echo: message.data }, [new Uint8Array([...message.buffers[0]!].reverse())]);",
        '    console.log("handled");',
        "  });",
        "  c.onClose(() => received.push('closed'));",
        "});",
      ].join("\n"),
    );
    expect(setup.reply.content.status).toBe("ok");

    const openIopub = await sendComm(k, "comm_open", { comm_id: "c-1", target_name: "echo", data: { hello: 1 } });
    expect(ofType(openIopub, "comm_close")).toEqual([]);
    const info = await k.client.request("shell", "comm_info_request", {});
    expect(info.reply.content).toEqual({ status: "ok", comms: { "c-1": { target_name: "echo" } } });

    const msgIopub = await sendComm(k, "comm_msg", { comm_id: "c-1", data: { n: 7 } }, [Buffer.from([1, 2, 3])]);
    const [echoed] = ofType(msgIopub, "comm_msg");
    expect(echoed!.content).toEqual({ comm_id: "c-1", data: { echo: { n: 7 } } });
    expect([...echoed!.buffers[0]!]).toEqual([3, 2, 1]);
    expect(streamText(msgIopub)).toBe("handled\n");

    await sendComm(k, "comm_close", { comm_id: "c-1", data: {} });
    const { iopub } = await k.client.execute("received");
    expect(ofType(iopub, "execute_result")[0]!.content.data).toEqual({ "text/plain": "[ 'open {\"hello\":1}', 'msg {\"n\":7} 1,2,3', 'closed' ]" });
    const after = await k.client.request("shell", "comm_info_request", {});
    expect(after.reply.content.comms).toEqual({});
  });

  it("comm_open for a target nobody registered is answered with comm_close", async () => {
    const iopub = await sendComm(k, "comm_open", { comm_id: "nobody-1", target_name: "nobody", data: {} });
    expect(ofType(iopub, "comm_close").map((message) => message.content.comm_id)).toEqual(["nobody-1"]);
  });

  it("a comm whose target's handler throws is closed, as ipykernel closes it, and the error is shown", async () => {
    await k.client.execute('comm.registerTarget("fails", () => { throw new Error("cannot open this one"); });');
    const iopub = await sendComm(k, "comm_open", { comm_id: "fails-1", target_name: "fails", data: {} });
    expect(ofType(iopub, "comm_close").map((message) => message.content.comm_id)).toEqual(["fails-1"]);
    expect(streamText(iopub, "stderr")).toContain("cannot open this one");
    const info = await k.client.request("shell", "comm_info_request", { target_name: "fails" });
    expect(info.reply.content.comms).toEqual({});
  });

  it("comm.open in a cell sends comm_open, send() comm_msg with buffers and close() comm_close on IOPub under the cell", async () => {
    const { reply, iopub } = await k.client.execute(
      [
        'const widget = comm.open("jupyter.widget", { state: { value: 1 } });',
        "widget.send({ method: 'update', state: { value: 2 } }, [new Uint8Array([9, 8]).buffer]);",
        "widget.commId",
      ].join("\n"),
    );
    expect(reply.content.status).toBe("ok");
    const [opened] = ofType(iopub, "comm_open");
    const commId = opened!.content.comm_id as string;
    expect(opened!.content).toMatchObject({ target_name: "jupyter.widget", data: { state: { value: 1 } } });
    const [sent] = ofType(iopub, "comm_msg");
    expect(sent!.content).toEqual({ comm_id: commId, data: { method: "update", state: { value: 2 } } });
    expect([...sent!.buffers[0]!]).toEqual([9, 8]);

    const widgets = await k.client.request("shell", "comm_info_request", { target_name: "jupyter.widget" });
    expect(widgets.reply.content.comms).toEqual({ [commId]: { target_name: "jupyter.widget" } });
    const none = await k.client.request("shell", "comm_info_request", { target_name: "other" });
    expect(none.reply.content.comms).toEqual({});

    // The frontend talks back on the kernel-opened comm.
    await k.client.execute('const heard: unknown[] = []; widget.onMsg((m) => heard.push(m.data));');
    await sendComm(k, "comm_msg", { comm_id: commId, data: { clicked: true } });
    const heard = await k.client.execute("heard");
    expect(ofType(heard.iopub, "execute_result")[0]!.content.data).toEqual({ "text/plain": "[ { clicked: true } ]" });

    const closed = await k.client.execute("widget.close();");
    expect(ofType(closed.iopub, "comm_close").map((message) => message.content.comm_id)).toEqual([commId]);
    const gone = await k.client.request("shell", "comm_info_request", {});
    expect(gone.reply.content.comms).toEqual({});
  });

  it("after a comm message, output of work no cell or comm started goes where it went before, not under the comm message", async () => {
    const started = await k.client.execute('comm.registerTarget("quiet", () => {});\nimport { spawn as spawnChild } from "node:child_process";\nspawnChild("sleep", ["0.5"]).on("exit", () => console.log("the child exited"));');
    const cellId = (started.reply.parent_header as { msg_id?: string }).msg_id;
    await sendComm(k, "comm_open", { comm_id: "quiet-1", target_name: "quiet", data: {} });
    const exited = () => k.client.unclaimed.find((m) => m.header.msg_type === "stream" && String(m.content.text).includes("the child exited"));
    const deadline = Date.now() + 10_000;
    while (exited() === undefined && Date.now() < deadline) await sleep(20);
    expect((exited()?.parent_header as { msg_id?: string } | undefined)?.msg_id).toBe(cellId);
  });

  it("comm messages get no reply on shell, only busy and idle", async () => {
    const before = k.client.unclaimed.length;
    const iopub = await sendComm(k, "comm_msg", { comm_id: "unknown", data: {} });
    expect(iopub.map((message) => message.header.msg_type)).toEqual(["status", "status"]);
    expect(k.client.unclaimed.length).toBeGreaterThan(before);
  });

  it("when the runtime exits, each open comm is closed on IOPub and comm_info lists none", async () => {
    const opened = await k.client.execute('const lasting = comm.open("jupyter.widget", { state: 1 });\nlasting.commId');
    const commId = JSON.parse(String((opened.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"]).replace(/'/g, '"')) as string;
    const exited = await k.client.execute("process.exit(0)");
    expect(exited.reply.content.ename).toBe("RuntimeDied");
    expect(ofType(exited.iopub, "comm_close").map((message) => message.content.comm_id)).toContain(commId);
    const info = await k.client.request("shell", "comm_info_request", {});
    expect(info.reply.content.comms).toEqual({});
  });
});
