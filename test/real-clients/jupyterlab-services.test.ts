// @jupyterlab/services — the client library JupyterLab itself runs — talking
// to a classic Notebook server's REST and WebSocket API: start the ephemeron
// kernel, execute, complete, inspect, interrupt, restart, shut down.

import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import WebSocket from "ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import { installKernel, type InstalledKernel } from "../clients/jupyter.js";
import { NOTEBOOK, startNotebookServer, type NotebookServer } from "./notebook-server.js";
import { describeWithTool } from "../clients/jupyter.js";

/**
 * Notebook 6 selects no WebSocket subprotocol, and `ws` refuses a handshake
 * that answers none to an offered one: offer none, as Notebook 6's own page does.
 */
class PlainWebSocket extends WebSocket {
  constructor(url: string | URL, _protocols?: string | string[]) {
    super(url);
  }
}

interface Executed {
  reply: KernelMessage.IExecuteReplyMsg;
  stdout: string;
  results: string[];
  errors: string[];
  statuses: string[];
}

async function execute(kernel: Kernel.IKernelConnection, code: string, onBusy?: () => void): Promise<Executed> {
  const executed: Omit<Executed, "reply"> = { stdout: "", results: [], errors: [], statuses: [] };
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => {
    const content = msg.content as Record<string, unknown>;
    switch (msg.header.msg_type) {
      case "stream":
        if (content.name === "stdout") executed.stdout += String(content.text);
        break;
      case "execute_result":
        executed.results.push(String((content.data as Record<string, unknown>)["text/plain"]));
        break;
      case "error":
        executed.errors.push(String(content.ename));
        break;
      case "status":
        executed.statuses.push(String(content.execution_state));
        if (content.execution_state === "busy") onBusy?.();
        break;
    }
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { ...executed, reply };
}

describeWithTool(NOTEBOOK, "@jupyterlab/services against a Notebook server", () => {
  let installed: InstalledKernel | undefined;
  let server: NotebookServer | undefined;
  let manager: KernelManager | undefined;
  let kernel: Kernel.IKernelConnection;

  beforeAll(async () => {
    installed = await installKernel();
    server = await startNotebookServer(installed);
    const { url, xsrf } = server;
    // Outside a browser there is no document.cookie for the library to read
    // the _xsrf token from: send it as cookie and header on every request.
    const xsrfFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      request.headers.set("Cookie", `_xsrf=${xsrf}`);
      request.headers.set("X-XSRFToken", xsrf);
      return fetch(request);
    };
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: `${url}/`,
      wsUrl: url.replace(/^http/, "ws") + "/",
      token: "",
      WebSocket: PlainWebSocket as unknown as typeof globalThis.WebSocket,
      fetch: xsrfFetch,
    });
    manager = new KernelManager({ serverSettings });
    await manager.ready;
  }, 120_000);

  afterAll(async () => {
    manager?.dispose();
    await server?.stop();
    installed?.remove();
  }, 60_000);

  it("starts the ephemeron kernel and reports its language", async () => {
    kernel = await manager!.startNew({ name: installed!.name });
    const info = await kernel.info;
    expect(kernel.name).toBe(installed!.name);
    expect(info.status).toBe("ok");
    expect(info.language_info.name).toBe("typescript");
  });

  it("executes a cell and streams its console.log and its result", async () => {
    const executed = await execute(kernel, 'let kept: number = 20;\nconsole.log("logged", kept);\nkept + 1');
    expect(executed.reply.content.status).toBe("ok");
    expect(executed.stdout).toBe("logged 20\n");
    expect(executed.results).toEqual(["21"]);
    expect(executed.statuses).toEqual(["busy", "idle"]);
  });

  it("completes `Math.` with floor", async () => {
    const reply = await kernel.requestComplete({ code: "Math.", cursor_pos: 5 });
    expect(reply.content.status).toBe("ok");
    const content = reply.content as Extract<KernelMessage.ICompleteReplyMsg["content"], { status: "ok" }>;
    expect(content.matches).toContain("floor");
    expect(content.cursor_start).toBe(5);
    expect(content.cursor_end).toBe(5);
  });

  it("inspects Math.floor with its signature", async () => {
    const reply = await kernel.requestInspect({ code: "Math.floor(1.5)", cursor_pos: 8, detail_level: 0 });
    expect(reply.content.status).toBe("ok");
    const content = reply.content as KernelMessage.IInspectReply;
    expect(content.found).toBe(true);
    expect(String(content.data["text/plain"])).toMatch(/floor\(x: number\): number/);
  });

  it("answers await input() through the stdin channel", async () => {
    const future = kernel.requestExecute({ code: 'const who = await input("Your name? "); `hello ${who}`', allow_stdin: true });
    const prompts: string[] = [];
    future.onStdin = (msg) => {
      if (msg.header.msg_type !== "input_request") return;
      prompts.push(String((msg.content as KernelMessage.IInputRequestMsg["content"]).prompt));
      kernel.sendInputReply({ status: "ok", value: "Ada" }, msg.header as KernelMessage.IHeader<"input_request">);
    };
    const results: string[] = [];
    future.onIOPub = (msg) => {
      if (msg.header.msg_type === "execute_result") results.push(String((msg.content as KernelMessage.IExecuteResultMsg["content"]).data["text/plain"]));
    };
    const reply = await future.done;
    expect(reply.content.status).toBe("ok");
    expect(prompts).toEqual(["Your name? "]);
    expect(results).toEqual(["'hello Ada'"]);
  });

  it("interrupts `while (true) {}` with KeyboardInterrupt and keeps earlier variables", async () => {
    let busySince = 0;
    const running = execute(kernel, "while (true) {}", () => (busySince = Date.now()));
    await expect.poll(() => busySince, { timeout: 15_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    const asked = Date.now();
    await kernel.interrupt();
    const executed = await running;
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(executed.reply.content.status).toBe("error");
    expect((executed.reply.content as KernelMessage.IReplyErrorContent).ename).toBe("KeyboardInterrupt");
    expect(executed.errors).toEqual(["KeyboardInterrupt"]);
    const after = await execute(kernel, "kept * 2");
    expect(after.results).toEqual(["40"]);
  });

  it("restarts to a fresh kernel that runs cells from execution count 1", async () => {
    await kernel.restart();
    await kernel.info;
    const executed = await execute(kernel, "typeof globalThis + ' ' + (6 * 7)");
    expect(executed.reply.content.status).toBe("ok");
    expect(executed.reply.content.execution_count).toBe(1);
    expect(executed.results).toEqual(["'object 42'"]);
  });

  it("shuts the kernel down, and the server lists no kernel afterwards", async () => {
    const id = kernel.id;
    await kernel.shutdown();
    expect(kernel.isDisposed || kernel.status === "dead").toBe(true);
    const listed = (await (await fetch(`${server!.url}/api/kernels`)).json()) as Array<{ id: string }>;
    expect(listed.map((k) => k.id)).not.toContain(id);
  });
});
