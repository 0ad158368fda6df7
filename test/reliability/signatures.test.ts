// Only the key holder is obeyed: unsigned, wrongly signed, tampered and
// replayed messages are dropped unread and logged once per kind, and a kernel
// whose connection file names an unknown signature scheme does not start.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchKernel, newConnectionInfo } from "../../kernel/kernelspec.js";
import { Session } from "../../kernel/wire.js";
import type { Message } from "../../kernel/messages.js";
import { startKernel, testJupyterDataDir, type TestKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { stderrLines } from "./probes.js";

const book = new FigureBook("signatures");
const DELIMITER = Buffer.from("<IDS|MSG>");
const ATTEMPTS = 3;

afterAll(() => book.save());

/** A cell that leaves evidence: it appends one line to `path` each time it runs. */
const writer = (path: string) => `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(path)}, "ran\\n");`;

function executeMessage(session: Session, code: string): Message<unknown> {
  return {
    identities: [],
    header: session.makeHeader("execute_request"),
    parent_header: {},
    metadata: {},
    content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    buffers: [],
  };
}

describe("signatures", () => {
  let k: TestKernel;
  let dir: string;
  beforeAll(async () => {
    k = await startKernel();
    dir = mkdtempSync(join(tmpdir(), "ephemeron-forged-"));
  });
  afterAll(async () => {
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends frames, then a signed kernel_info on the same socket: its reply proves the frames were read first. */
  async function sendThenSync(frames: Buffer[], channel: "shell" | "control" = "shell"): Promise<void> {
    await k.client.sendRaw(channel, frames);
    const { reply } = await k.client.request(channel, "kernel_info_request", {});
    expect(reply.content.status).toBe("ok");
  }

  it("runs a correctly signed cell that writes a file (the control for the forgeries below)", async () => {
    const check = book.check("a correctly signed execute_request runs", "one signed cell that appends to a file");
    const path = join(dir, "signed.txt");
    const { reply } = await k.client.execute(writer(path));
    expect(reply.content.status).toBe("ok");
    expect(readFileSync(path, "utf8")).toBe("ran\n");
    check.figures["file written"] = true;
    check.held = true;
  });

  it("drops an unsigned execute_request: the file it would write is absent and the kernel still answers", async () => {
    const check = book.check("an unsigned execute_request is dropped, never run", `${ATTEMPTS} unsigned execute_requests that would write a file`);
    const path = join(dir, "unsigned.txt");
    for (let i = 0; i < ATTEMPTS; i++) {
      const frames = k.client.session.serialize(executeMessage(k.client.session, writer(path)));
      const at = frames.findIndex((frame) => frame.equals(DELIMITER));
      frames[at + 1] = Buffer.alloc(0);
      await sendThenSync(frames);
    }
    expect(existsSync(path)).toBe(false);
    check.figures["file written"] = existsSync(path);
    check.held = true;
  });

  it("drops an execute_request signed with another key", async () => {
    const check = book.check("an execute_request signed with another key is dropped", `${ATTEMPTS} execute_requests signed with a random other key, on shell and control`);
    const path = join(dir, "wrong-key.txt");
    const forger = new Session("not-the-key-" + Math.random(), "hmac-sha256", "mallory");
    for (let i = 0; i < ATTEMPTS; i++) {
      await sendThenSync(forger.serialize(executeMessage(forger, writer(path))));
      // On control too, with a request that would end the kernel.
      await sendThenSync(
        forger.serialize({ identities: [], header: forger.makeHeader("shutdown_request"), parent_header: {}, metadata: {}, content: { restart: false }, buffers: [] }),
        "control",
      );
    }
    expect(existsSync(path)).toBe(false);
    expect(k.kernel.process.exitCode).toBeNull();
    check.figures["file written"] = existsSync(path);
    check.figures["forged shutdowns obeyed"] = 0;
    check.held = true;
  });

  it("drops a signed message whose frames were altered after signing", async () => {
    const check = book.check("a message altered after signing is dropped", `${ATTEMPTS} × 4 alterations: harmless code swapped for a file write, header, parent_header and metadata changed`);
    const path = join(dir, "tampered.txt");
    let sent = 0;
    for (let i = 0; i < ATTEMPTS; i++) {
      for (const frameIndex of [3, 0, 1, 2]) {
        const message = executeMessage(k.client.session, "1 + 1");
        const frames = k.client.session.serialize(message);
        const at = frames.findIndex((frame) => frame.equals(DELIMITER));
        const json = at + 2 + frameIndex;
        if (frameIndex === 3) frames[json] = Buffer.from(JSON.stringify({ ...(message.content as object), code: writer(path) }));
        else frames[json] = Buffer.from(JSON.stringify({ ...JSON.parse(frames[json]!.toString()), tampered: true }));
        await sendThenSync(frames);
        sent++;
      }
    }
    expect(existsSync(path)).toBe(false);
    check.figures["messages"] = sent;
    check.figures["file written"] = existsSync(path);
    check.held = true;
  });

  it("refuses a replayed message: a correctly signed cell sent again does not run again", async () => {
    const check = book.check("a replayed, correctly signed execute_request runs only once", `one signed cell that appends to a file, then its exact frames resent ${ATTEMPTS} times`);
    const path = join(dir, "replayed.txt");
    const frames = k.client.session.serialize(executeMessage(k.client.session, writer(path)));
    await sendThenSync(frames);
    // The first delivery runs; shell requests are handled in order, so it is done by now.
    expect(readFileSync(path, "utf8")).toBe("ran\n");
    for (let i = 0; i < ATTEMPTS; i++) await sendThenSync(frames);
    expect(readFileSync(path, "utf8")).toBe("ran\n");
    check.figures["runs"] = readFileSync(path, "utf8").split("\n").filter(Boolean).length;
    check.held = true;
  });

  it("logs each kind of dropped message once on stderr, however many arrive", () => {
    const check = book.check("each kind of drop is logged once on stderr", "the drops above (several of each kind)");
    const kinds = ["missing-signature", "bad-signature", "replayed"];
    for (const kind of kinds) {
      const lines = stderrLines(k, new RegExp(`dropped a message .*'${kind}'`));
      expect(lines, `${kind}: ${lines.join("\n")}`).toHaveLength(1);
      check.figures[`'${kind}' lines`] = lines.length;
    }
    check.held = true;
  });

  it("keeps a bounded history of seen signatures (at most 65,536, oldest forgotten first)", () => {
    const check = book.check("the replay history is bounded", "70,000 distinct signed messages through one Session");
    const session = new Session("k", "hmac-sha256");
    const header = JSON.stringify(session.makeHeader("kernel_info_request"));
    for (let i = 0; i < 70_000; i++) {
      const json = [header, "{}", "{}", JSON.stringify({ i })].map((part) => Buffer.from(part));
      session.deserialize([DELIMITER, Buffer.from(session.sign(json)), ...json]);
    }
    const size = (session as unknown as { seen: Set<string> }).seen.size;
    expect(size).toBe(65_536);
    check.figures["signatures kept"] = size;
    check.held = true;
  });
});

describe("an unknown signature scheme", () => {
  it("stops the kernel from starting, with a one-line error and a non-zero exit", async () => {
    const check = book.check("a connection file with signature_scheme 'hmac-nonsense' is refused", "one kernel start");
    const connection = { ...(await newConnectionInfo()), signature_scheme: "hmac-nonsense" };
    const kernel = await launchKernel({ connection, env: { JUPYTER_DATA_DIR: testJupyterDataDir() } });
    try {
      const exit = await kernel.exited;
      const lines = kernel.stderr().trimEnd().split("\n");
      expect(exit.code).not.toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("hmac-nonsense");
      check.figures["exit code"] = exit.code ?? -1;
      check.figures["stderr lines"] = lines.length;
      check.figures["message"] = lines[0]!;
      check.held = true;
    } finally {
      await kernel.dispose();
    }
  });
});
