// The Jupyter wire format: routing identities, the `<IDS|MSG>` delimiter, an
// HMAC signature, four JSON frames (header, parent_header, metadata, content)
// and any binary buffers. The signature covers the four JSON frames only, is
// compared in constant time, and a signature seen before is refused, as
// jupyter_client's Session does (its digest history).

import { createHmac, getHashes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Header, JsonObject, Message } from "./messages.js";
import { PROTOCOL_VERSION } from "./messages.js";

const DELIMITER = Buffer.from("<IDS|MSG>");

/** An escaped backslash (kept as it is), or JSON.stringify's escape of a lone surrogate. */
const LONE_SURROGATE_ESCAPE = /\\(\\|ud[89a-f][0-9a-f]{2})/g;

/**
 * JSON text whose lone surrogates are U+FFFD. A cell that prints half an emoji (`"😀!".slice(1)`,
 * a substring cut in the middle of one) hands JSON.stringify a lone surrogate, which it escapes as
 * `\udXXX`; Python reads that back as a lone surrogate, which no UTF-8 file can hold: the Notebook's
 * save and nbconvert's write of the notebook then fail. U+FFFD is what UTF-8 output (a terminal,
 * `Buffer.from`) shows for it. JSON.stringify escapes nothing else in that range: a pair stays as it is.
 */
export function withoutLoneSurrogates(json: string): string {
  if (!json.includes("\\ud")) return json;
  return json.replace(LONE_SURROGATE_ESCAPE, (escape: string, escaped: string) => (escaped === "\\" ? escape : "\\ufffd"));
}

/** jupyter_client keeps 2**16 digests; so do we, forgetting the oldest first. */
const DIGEST_HISTORY_SIZE = 1 << 16;

export type WireErrorKind =
  | "no-delimiter"
  | "too-few-frames"
  | "missing-signature"
  | "bad-signature"
  | "replayed"
  | "bad-json"
  | "bad-header";

export class WireError extends Error {
  constructor(
    readonly kind: WireErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "WireError";
  }
}

export class UnknownSchemeError extends Error {}

export class Session {
  readonly id = randomUUID();
  private readonly algorithm: string | undefined;
  private readonly seen = new Set<string>();

  constructor(
    private readonly key: string,
    scheme = "hmac-sha256",
    readonly username = "kernel",
  ) {
    if (key === "") return;
    const match = /^hmac-(.+)$/.exec(scheme);
    const algorithm = match?.[1];
    if (!algorithm || !getHashes().includes(algorithm)) {
      throw new UnknownSchemeError(`unsupported signature_scheme '${scheme}'`);
    }
    this.algorithm = algorithm;
  }

  get signs(): boolean {
    return this.algorithm !== undefined;
  }

  sign(frames: Buffer[]): string {
    if (!this.algorithm) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  makeHeader(msgType: string): Header {
    return {
      msg_id: randomUUID(),
      session: this.id,
      username: this.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
  }

  /** Frames for a message; the signature is computed over the JSON frames only. */
  serialize(message: Message<unknown>): Buffer[] {
    const json = [message.header, message.parent_header, message.metadata, message.content].map(
      (part) => Buffer.from(withoutLoneSurrogates(JSON.stringify(part))),
    );
    const signature = Buffer.from(this.sign(json));
    return [...message.identities, DELIMITER, signature, ...json, ...message.buffers];
  }

  /** Parses and authenticates frames; throws WireError for anything that is not a valid, fresh message. */
  deserialize(frames: Buffer[]): Message {
    const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
    if (delimiterAt === -1) throw new WireError("no-delimiter", "no <IDS|MSG> delimiter");
    const identities = frames.slice(0, delimiterAt);
    const rest = frames.slice(delimiterAt + 1);
    if (rest.length < 5) throw new WireError("too-few-frames", `${rest.length} frames after the delimiter, need 5`);
    const [signatureFrame, headerFrame, parentFrame, metadataFrame, contentFrame] = rest as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    const jsonFrames = [headerFrame, parentFrame, metadataFrame, contentFrame];
    if (this.signs) {
      const signature = signatureFrame.toString("latin1");
      if (signature === "") throw new WireError("missing-signature", "message is not signed");
      const expected = Buffer.from(this.sign(jsonFrames), "latin1");
      const given = Buffer.from(signature, "latin1");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new WireError("bad-signature", "signature does not verify");
      }
      if (this.seen.has(signature)) throw new WireError("replayed", "signature was already used (replay)");
      this.remember(signature);
    }
    const header = parseJsonObject(headerFrame, "header");
    if (!isHeader(header)) throw new WireError("bad-header", "header lacks msg_id, msg_type or session strings");
    return {
      identities,
      header,
      parent_header: parseJsonObject(parentFrame, "parent_header") as unknown as Message["parent_header"],
      metadata: parseJsonObject(metadataFrame, "metadata"),
      content: parseJsonObject(contentFrame, "content"),
      buffers: rest.slice(5),
    };
  }

  private remember(signature: string): void {
    this.seen.add(signature);
    if (this.seen.size > DIGEST_HISTORY_SIZE) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

function parseJsonObject(frame: Buffer, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString("utf8"));
  } catch {
    throw new WireError("bad-json", `${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WireError("bad-json", `${what} is not a JSON object`);
  }
  return value as JsonObject;
}

function isHeader(value: JsonObject): value is JsonObject & Header {
  return typeof value.msg_id === "string" && typeof value.msg_type === "string" && typeof value.session === "string";
}
