// Malformed messages: ten thousand random multipart messages on the shell and
// control sockets, from a seeded generator, then the kernel must still answer,
// run a cell correctly, and hold its memory. Messages signed with the right key
// but wrong inside are among them, so everything past the HMAC check is
// exercised too; every such message that is a well-formed request must get a
// reply (an error reply for a bad content shape), never a crash.
//
// Replay a failure: EPHEMERON_FUZZ_SEED=<seed printed in the test name>.

import * as zmq from "zeromq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpoint } from "../../kernel/connection.js";
import { Session, WireError } from "../../kernel/wire.js";
import type { Message } from "../../kernel/messages.js";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { prng, rssMb, runtimePid, settledRss, stderrLines } from "./probes.js";

const book = new FigureBook("fuzz");
afterAll(() => book.save());

const SEED = Number(process.env.EPHEMERON_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MESSAGES = Number(process.env.EPHEMERON_FUZZ_MESSAGES ?? 10_000);
const HUGE_FRAME_BYTES = 3 * 1024 * 1024;
/** Messages with frames of 3–4 MB, sent before the ten thousand. */
const HUGE_MESSAGES = 30;
/**
 * The kernel may keep this much more resident memory after the fuzz than before
 * it: V8 keeps the heap it grew for frames of several MB. The second half of the
 * ten thousand may add only SECOND_HALF_GROWTH_MB over the first: growth that
 * goes on is a leak.
 */
const KERNEL_RSS_GROWTH_MB = 160;
const SECOND_HALF_GROWTH_MB = 40;
const DELIMITER = Buffer.from("<IDS|MSG>");

type FuzzChannel = "shell" | "control";

/** Messages that have no reply in the protocol (comms are one-way; input_reply answers the kernel). */
const NO_REPLY = new Set(["comm_open", "comm_msg", "comm_close", "input_reply"]);

/** Request types a client may send (shutdown_request excepted: signed, it would rightly end the kernel). */
const REQUEST_TYPES = [
  "execute_request",
  "kernel_info_request",
  "complete_request",
  "inspect_request",
  "is_complete_request",
  "history_request",
  "comm_info_request",
  "comm_open",
  "comm_msg",
  "comm_close",
  "interrupt_request",
  "input_reply",
  "no_such_request",
  "constructor",
  "toString",
  "__proto__",
];

class Generator {
  readonly random: () => number;
  /** msg_ids of well-formed, correctly signed requests: each must be answered. */
  readonly expectReplies = new Map<string, { channel: FuzzChannel; msgType: string; content: string }>();
  readonly counts: Record<string, number> = {};
  hugeFrames = 0;

  constructor(
    seed: number,
    private readonly session: Session,
  ) {
    this.random = prng(seed);
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i++) buffer[i] = this.int(256);
    return buffer;
  }

  huge(): Buffer {
    this.hugeFrames++;
    // Random head and tail around a filled middle: big, without generating megabytes one byte at a time.
    const buffer = Buffer.alloc(HUGE_FRAME_BYTES + this.int(1024 * 1024), this.pick([0x7b, 0x22, 0x41, 0x00, 0xff]));
    this.bytes(256).copy(buffer, 0);
    this.bytes(256).copy(buffer, buffer.length - 256);
    return buffer;
  }

  text(max: number): string {
    const alphabet = "abcxyz0123456789 ()[]{};:.,'\"`+-*/\\=<>!?@#$%^&|\n\tλ😀\u0000";
    let out = "";
    const length = this.int(max);
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** A JSON value of a random type, now and then a nested one. */
  value(depth = 0): unknown {
    switch (this.int(depth > 1 ? 7 : 9)) {
      case 0:
        return null;
      case 1:
        return this.random() < 0.5;
      case 2:
        return this.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308]);
      case 3:
        return this.text(20);
      case 4:
        return "";
      case 5:
        return this.int(1000);
      case 6:
        return this.text(5);
      case 7:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.text(6), this.value(depth + 1)]));
    }
  }

  /** Content for a request type, with each field sometimes of the right type and sometimes not. */
  content(msgType: string): unknown {
    const maybe = (right: () => unknown) => (this.random() < 0.5 ? right() : this.value());
    switch (msgType) {
      case "execute_request":
        return {
          // A string of code is garbage that fails to compile, or at worst names an undefined variable.
          code: this.random() < 0.15 ? this.text(30) : this.pick([42, null, [], {}, true, 1.5, ["1 + 1"], { code: "1" }]),
          silent: maybe(() => this.random() < 0.5),
          store_history: maybe(() => true),
          user_expressions: maybe(() => ({ [this.text(4)]: this.text(10) })),
          allow_stdin: maybe(() => false),
          stop_on_error: maybe(() => this.random() < 0.5),
        };
      case "complete_request":
      case "inspect_request":
        return {
          code: maybe(() => this.text(40)),
          cursor_pos: this.pick([0, -1, 5, 1e9, 2.5, "3", null, undefined, Number.MAX_SAFE_INTEGER]),
          detail_level: this.value(),
        };
      case "is_complete_request":
        return { code: maybe(() => this.text(40)) };
      case "history_request":
        return {
          hist_access_type: maybe(() => this.pick(["tail", "range", "search"])),
          n: this.value(),
          start: this.value(),
          stop: this.value(),
          session: this.value(),
          pattern: maybe(() => this.pick(["*", "?", "a*", "[", "\\", "(", "*?*"])),
          unique: this.value(),
          output: this.value(),
          raw: this.value(),
        };
      default:
        return Object.fromEntries(Array.from({ length: this.int(5) }, () => [this.text(8), this.value()]));
    }
  }

  signed(json: Buffer[]): Buffer[] {
    return [DELIMITER, Buffer.from(this.session.sign(json)), ...json];
  }

  header(msgType: string): Record<string, unknown> {
    return { ...this.session.makeHeader(msgType) };
  }

  /** One random message and the channel it goes to; `huge` forces one with frames of several MB. */
  next(huge = false): { channel: FuzzChannel; frames: Buffer[] } {
    const channel: FuzzChannel = this.random() < 0.6 ? "shell" : "control";
    const kinds = [
      "random-frames",
      "random-after-delimiter",
      "too-few-frames",
      "no-delimiter-json",
      "unsigned",
      "random-signature",
      "signed-bad-json",
      "signed-wrong-header-types",
      "signed-non-object-frames",
      "signed-request",
      "signed-request",
      "signed-request",
      "extra-identities",
    ] as const;
    const kind = huge ? "huge" : this.pick(kinds);
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? "null");
    switch (kind) {
      case "random-frames":
        return { channel, frames: Array.from({ length: 1 + this.int(8) }, () => this.bytes(this.int(200))) };
      case "random-after-delimiter":
        return { channel, frames: [DELIMITER, ...Array.from({ length: this.int(9) }, () => this.bytes(this.int(120)))] };
      case "too-few-frames":
        return { channel, frames: [DELIMITER, ...this.signed([json(this.header("kernel_info_request")), json({}), json({}), json({})]).slice(1, 1 + this.int(5))] };
      case "no-delimiter-json": {
        const frames = this.signed([json(this.header("execute_request")), json({}), json({}), json({ code: "1" })]);
        return { channel, frames: frames.slice(1) };
      }
      case "unsigned":
        return { channel, frames: [DELIMITER, Buffer.alloc(0), json(this.header(this.pick(REQUEST_TYPES))), json({}), json({}), json(this.content("execute_request"))] };
      case "random-signature":
        return {
          channel,
          frames: [DELIMITER, this.pick([this.bytes(64), Buffer.from(this.bytes(32).toString("hex")), Buffer.from("x")]), json(this.header("execute_request")), json({}), json({}), json({ code: "1" })],
        };
      case "signed-bad-json": {
        const frames: Buffer[] = [json(this.header("kernel_info_request")), json({}), json({}), json({})];
        frames[this.int(4)] = this.pick([Buffer.from("{"), Buffer.from("{'a': 1}"), this.bytes(this.int(40)), Buffer.from(""), Buffer.from("\uFFFD\u0000")]);
        return { channel, frames: this.signed(frames) };
      }
      case "signed-wrong-header-types": {
        const header = this.header(this.pick(REQUEST_TYPES));
        const field = this.pick(["msg_id", "msg_type", "session", "username", "date", "version"]);
        header[field] = this.pick([5, null, [], {}, true, undefined]);
        // Only msg_id, msg_type and session are needed to answer; a wrong username, date or version is no reason to drop.
        if (!["msg_id", "msg_type", "session"].includes(field) && !NO_REPLY.has(header.msg_type as string)) {
          this.expectReplies.set(header.msg_id as string, { channel, msgType: `${String(header.msg_type)} with ${field} wrong`, content: "{}" });
        }
        return { channel, frames: this.signed([json(header), json({}), json({}), json({})]) };
      }
      case "signed-non-object-frames": {
        const frames = [json(this.header(this.pick(REQUEST_TYPES))), json({}), json({}), json({ code: "1" })];
        frames[this.int(4)] = json(this.pick([[], [1, 2], "a string", 42, null, true]));
        return { channel, frames: this.signed(frames) };
      }
      case "signed-request": {
        const msgType = this.pick(REQUEST_TYPES);
        const header = this.header(msgType);
        const content = this.content(msgType);
        const parent = this.random() < 0.2 ? this.value() : {};
        const parentOk = typeof parent === "object" && parent !== null && !Array.isArray(parent);
        if (parentOk && !NO_REPLY.has(msgType)) {
          this.expectReplies.set(header.msg_id as string, { channel, msgType, content: JSON.stringify(content).slice(0, 200) });
        }
        return { channel, frames: this.signed([json(header), json(parent), json(this.value()), json(content)].map((frame, i) => (i === 2 && frame.toString()[0] !== "{" ? json({}) : frame))) };
      }
      case "extra-identities":
        return { channel, frames: [this.bytes(5), this.bytes(this.int(30)), ...this.signed([json(this.header("kernel_info_request")), json({}), json({}), json({})]).map((f, i) => (i === 5 ? this.bytes(3) : f))] };
      case "huge": {
        const frames = this.signed([json(this.header("execute_request")), json({}), json({}), json({ code: 42, padding: "x".repeat(HUGE_FRAME_BYTES) })]);
        const variant = this.int(3);
        if (variant === 0) return { channel, frames: [this.huge(), this.huge()] };
        if (variant === 1) return { channel, frames: [DELIMITER, Buffer.from("0".repeat(64)), this.huge(), json({}), json({}), this.huge()] };
        this.hugeFrames++;
        this.expectReplies.set(JSON.parse(frames[2]!.toString()).msg_id, { channel, msgType: "execute_request", content: "{code: 42, padding: 3 MB}" });
        return { channel, frames };
      }
    }
  }
}

describe("malformed messages", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("answers a correctly signed request whose content has the wrong shape with an error reply", async () => {
    const check = book.check(
      "a correctly signed request with a wrong content shape gets an error reply",
      "execute_request with code 42, null, an array; complete/inspect with a number for code or a string cursor; is_complete with no code",
    );
    const cases: [string, Record<string, unknown>][] = [
      ["execute_request", { code: 42 }],
      ["execute_request", { code: null, silent: false }],
      ["execute_request", { code: ["1 + 1"] }],
      ["execute_request", {}],
      ["complete_request", { code: 5, cursor_pos: 1 }],
      ["complete_request", { code: "Math.", cursor_pos: "3" }],
      ["inspect_request", { code: "Math", cursor_pos: -4 }],
      ["is_complete_request", {}],
    ];
    for (const [msgType, content] of cases) {
      const { reply, iopub } = await k.client.request("shell", msgType, content);
      expect(reply.header.msg_type, msgType).toBe(msgType.replace(/_request$/, "_reply"));
      expect(reply.content.status, `${msgType} ${JSON.stringify(content)}`).toBe("error");
      expect(typeof reply.content.ename).toBe("string");
      expect(iopub.at(-1)!.content).toEqual({ execution_state: "idle" });
    }
    const { iopub } = await k.client.execute("6 * 7");
    expect(resultText(iopub)).toBe("42");
    check.figures["requests"] = cases.length;
    check.figures["error replies"] = cases.length;
    check.held = true;
  });

  it("answers the inputs the fuzzer once wedged it with: a lone '#', a lone surrogate, msg_type 'constructor'", async () => {
    const check = book.check(
      "inputs found by this fuzzer that once wedged or misled the kernel are answered",
      "is_complete of '#' (scanner looped forever), completion of code with a lone surrogate followed by another (the checker hung), msg_types 'constructor' and 'toString' (found Object's methods)",
    );
    const hash = await k.client.request("shell", "is_complete_request", { code: "#" });
    expect(hash.reply.content).toMatchObject({ status: "invalid" });
    const lone = await k.client.request("shell", "complete_request", { code: "const s = '\ude00'; s", cursor_pos: 21 });
    expect(lone.reply.content.status).toBe("ok");
    const after = await k.client.request("shell", "complete_request", { code: "Math.fl", cursor_pos: 7 });
    expect(after.reply.content.matches).toContain("floor");
    for (const msgType of ["constructor", "toString", "hasOwnProperty"]) {
      const { reply } = await k.client.request("shell", msgType, {});
      expect(reply.content, msgType).toMatchObject({ status: "error", ename: "UnknownMessageType" });
    }
    expect(await k.client.ping(2000)).toBe(true);
    check.figures["requests"] = 6;
    check.figures["answered"] = 6;
    check.held = true;
  });

  it(`survives ${MESSAGES.toLocaleString("en-US")} random multipart messages on shell and control (seed ${SEED})`, async () => {
    const check = book.check(
      "random multipart messages are dropped or answered; afterwards the kernel answers and runs cells",
      `${HUGE_MESSAGES} messages with frames of 3–4 MB, then ${MESSAGES.toLocaleString("en-US")} random messages of every other kind; seeded`,
    );
    const before = await settledRss(k);
    const generator = new Generator(SEED, new Session(k.kernel.connection.key, "hmac-sha256", "fuzzer"));
    const verifier = new Session(k.kernel.connection.key, "hmac-sha256", "fuzzer");

    // Raw sockets of our own, so every reply to a fuzzed request can be counted.
    const sockets: Record<FuzzChannel, zmq.Dealer> = {
      shell: new zmq.Dealer({ linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0 }),
      control: new zmq.Dealer({ linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0 }),
    };
    const replies = new Map<string, number>();
    const lastReply: Record<FuzzChannel, string> = { shell: "", control: "" };
    const listening = (["shell", "control"] as const).map(async (channel) => {
      const socket = sockets[channel];
      socket.connect(endpoint(k.kernel.connection, channel));
      try {
        for await (const frames of socket) {
          let message: Message;
          try {
            message = verifier.deserialize(frames);
          } catch (error) {
            if (error instanceof WireError) continue;
            throw error;
          }
          const parent = (message.parent_header as { msg_id?: string }).msg_id ?? "";
          replies.set(parent, (replies.get(parent) ?? 0) + 1);
          lastReply[channel] = parent;
        }
      } catch {
        // closed
      }
    });

    /** A well-formed request on each socket: replies come in order, so its reply means all before it were handled. */
    const drain = async () => {
      for (const channel of ["shell", "control"] as const) {
        const header = verifier.makeHeader("kernel_info_request");
        const json = [header, {}, {}, {}].map((part) => Buffer.from(JSON.stringify(part)));
        await sockets[channel].send([DELIMITER, Buffer.from(verifier.sign(json)), ...json]);
        const deadline = Date.now() + 120_000;
        while (lastReply[channel] !== header.msg_id && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(lastReply[channel], `${channel} answered the kernel_info sent after the fuzz (seed ${SEED})`).toBe(header.msg_id);
      }
    };

    // First the messages with frames of several MB: they raise the heap's high-water mark once.
    let maxRss = before.kernel;
    for (let i = 0; i < HUGE_MESSAGES; i++) {
      const { channel, frames } = generator.next(true);
      await sockets[channel].send(frames);
      maxRss = Math.max(maxRss, rssMb(k.kernel.process.pid!));
    }
    await drain();
    const afterHuge = (await settledRss(k)).kernel;
    // Then the ten thousand, in two halves: memory that keeps growing from one half to the next is a leak.
    const half = Math.floor(MESSAGES / 2);
    let middle = afterHuge;
    for (let i = 0; i < MESSAGES; i++) {
      const { channel, frames } = generator.next();
      await sockets[channel].send(frames);
      if (i % 1000 === 999) maxRss = Math.max(maxRss, rssMb(k.kernel.process.pid!));
      if (i === half - 1) {
        await drain();
        middle = (await settledRss(k)).kernel;
      }
    }
    await drain();
    for (const socket of Object.values(sockets)) socket.close();
    await Promise.all(listening);

    const unanswered = [...generator.expectReplies].filter(([id]) => replies.get(id) !== 1);
    expect(unanswered.slice(0, 5), `well-formed signed requests without exactly one reply (seed ${SEED})`).toEqual([]);

    // The kernel still answers on the ordinary client, and a cell runs correctly (in the same runtime).
    const pidBefore = before.runtimePid;
    const info = await k.client.request("control", "kernel_info_request", {});
    expect(info.reply.content.status).toBe("ok");
    const { reply, iopub } = await k.client.execute("const answer: number = 6 * 7;\nconsole.log('still here');\nanswer");
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("42");
    expect(await runtimePid(k)).toBe(pidBefore);

    const after = await settledRss(k);
    const growth = after.kernel - before.kernel;
    const secondHalfGrowth = after.kernel - middle;
    const trail = `kernel RSS ${before.kernel} → ${afterHuge} → ${middle} → ${after.kernel} MB (seed ${SEED})`;
    expect(growth, trail).toBeLessThan(KERNEL_RSS_GROWTH_MB);
    expect(secondHalfGrowth, trail).toBeLessThan(SECOND_HALF_GROWTH_MB);
    expect(k.kernel.process.exitCode).toBeNull();

    const dropLines = stderrLines(k, /dropped a message/);
    const kinds = new Set(dropLines.map((line) => /'([a-z-]+)' drops/.exec(line)?.[1]));
    expect(dropLines.length, dropLines.join("\n")).toBe(kinds.size);

    Object.assign(check.figures, {
      seed: String(SEED),
      messages: MESSAGES + HUGE_MESSAGES,
      "signed, well-formed requests": generator.expectReplies.size,
      "of them answered exactly once": generator.expectReplies.size - unanswered.length,
      "frames of 3–4 MB": generator.hugeFrames,
      "drop kinds logged (one line each)": [...kinds].sort().join(", "),
      "kernel RSS before (MB)": before.kernel,
      "kernel RSS peak while fuzzed (MB)": maxRss,
      "kernel RSS after the messages with huge frames (MB)": afterHuge,
      "kernel RSS after half the messages (MB)": middle,
      "kernel RSS after (MB)": after.kernel,
      "bound on growth (MB)": KERNEL_RSS_GROWTH_MB,
      "bound on growth in the second half (MB)": SECOND_HALF_GROWTH_MB,
      "runtime restarted": false,
    });
    for (const [kind, count] of Object.entries(generator.counts).sort()) check.figures[`kind ${kind}`] = count;
    check.held = true;
  }, 240_000);
});
