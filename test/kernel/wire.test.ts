import { describe, expect, it } from "vitest";
import { Session, UnknownSchemeError, WireError, withoutLoneSurrogates } from "../../kernel/wire.js";
import type { Message } from "../../kernel/messages.js";

function message(session: Session, content: Record<string, unknown> = { code: "1+1" }): Message {
  return {
    identities: [Buffer.from("client-a"), Buffer.from([0, 1, 2])],
    header: session.makeHeader("execute_request"),
    parent_header: {},
    metadata: {},
    content,
    buffers: [Buffer.from([9, 9, 9])],
  };
}

function kindOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof WireError) return error.kind;
    throw error;
  }
  return undefined;
}

describe("the wire format", () => {
  it("round-trips a signed message with its routing identities and buffers", () => {
    const sender = new Session("secret");
    const receiver = new Session("secret");
    const sent = message(sender);
    const received = receiver.deserialize(sender.serialize(sent));
    expect(received.identities.map((id) => id.toString("hex"))).toEqual(sent.identities.map((id) => id.toString("hex")));
    expect(received.header).toEqual(sent.header);
    expect(received.content).toEqual({ code: "1+1" });
    expect(received.buffers[0]).toEqual(Buffer.from([9, 9, 9]));
  });

  it("signs only the four JSON frames, so buffers do not change the signature", () => {
    const session = new Session("secret");
    const sent = message(session);
    const frames = session.serialize(sent);
    const withOtherBuffer = session.serialize({ ...sent, buffers: [Buffer.from("other")] });
    const delimiter = frames.findIndex((frame) => frame.toString() === "<IDS|MSG>");
    expect(frames[delimiter + 1]!.toString()).toBe(withOtherBuffer[delimiter + 1]!.toString());
  });

  it("rejects tampered content, a wrong key and a missing signature", () => {
    const sender = new Session("secret");
    const frames = sender.serialize(message(sender));
    const delimiter = frames.findIndex((frame) => frame.toString() === "<IDS|MSG>");
    const tampered = [...frames];
    tampered[delimiter + 5] = Buffer.from(JSON.stringify({ code: "process.exit()" }));
    expect(kindOf(() => new Session("secret").deserialize(tampered))).toBe("bad-signature");
    expect(kindOf(() => new Session("other key").deserialize(frames))).toBe("bad-signature");
    const unsigned = [...frames];
    unsigned[delimiter + 1] = Buffer.from("");
    expect(kindOf(() => new Session("secret").deserialize(unsigned))).toBe("missing-signature");
  });

  it("writes a lone surrogate as U+FFFD, and leaves surrogate pairs and a backslash followed by the text ud800 as they are", () => {
    const parse = (text: string) => JSON.parse(withoutLoneSurrogates(JSON.stringify(text))) as string;
    expect(parse("half \ud83d, other half \ude00.")).toBe("half \ufffd, other half \ufffd.");
    expect(parse("whole \ud83d\ude00")).toBe("whole \ud83d\ude00");
    expect(parse("a backslash: \\ud800, two: \\\\ud800")).toBe("a backslash: \\ud800, two: \\\\ud800");
    expect(parse("escaped then lone: \\\ud800")).toBe("escaped then lone: \\\ufffd");
  });

  it("refuses a replay of a message it already accepted", () => {
    const sender = new Session("secret");
    const receiver = new Session("secret");
    const frames = sender.serialize(message(sender));
    expect(kindOf(() => receiver.deserialize(frames))).toBeUndefined();
    expect(kindOf(() => receiver.deserialize(frames))).toBe("replayed");
  });

  it("rejects too few frames, a missing delimiter and JSON that is not an object", () => {
    const session = new Session("");
    expect(kindOf(() => session.deserialize([Buffer.from("<IDS|MSG>"), Buffer.from("")]))).toBe("too-few-frames");
    expect(kindOf(() => session.deserialize([Buffer.from("a"), Buffer.from("b")]))).toBe("no-delimiter");
    const frames = ["<IDS|MSG>", "", "[1]", "{}", "{}", "{}"].map((text) => Buffer.from(text));
    expect(kindOf(() => session.deserialize(frames))).toBe("bad-json");
    const noMsgType = ["<IDS|MSG>", "", '{"msg_id":"x","session":"s"}', "{}", "{}", "{}"].map((text) => Buffer.from(text));
    expect(kindOf(() => session.deserialize(noMsgType))).toBe("bad-header");
  });

  it("accepts unsigned messages when the key is empty", () => {
    const session = new Session("");
    const frames = session.serialize(message(session));
    expect(session.deserialize(frames).content).toEqual({ code: "1+1" });
  });

  it("supports any hmac-* scheme Node has, and refuses an unknown one", () => {
    const sha512 = new Session("k", "hmac-sha512");
    expect(new Session("k", "hmac-sha512").deserialize(sha512.serialize(message(sha512))).content).toEqual({ code: "1+1" });
    expect(() => new Session("k", "hmac-nonsense")).toThrow(UnknownSchemeError);
  });
});
