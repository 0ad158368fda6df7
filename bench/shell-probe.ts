// A shell-only client connected before the kernel is launched, so that cold
// start is timed to the first reply: its request sits in the socket's queue
// until the kernel binds, and the reconnect interval is 2 ms (ZeroMQ's default
// of 100 ms would add up to 100 ms to every start). KernelClient cannot do
// this: it settles a request only at IOPub idle, which a subscription made
// before the kernel binds can miss.

import { performance } from "node:perf_hooks";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "../kernel/connection.js";
import type { JsonObject, Message } from "../kernel/messages.js";
import { Session, WireError } from "../kernel/wire.js";
import { withTimeout } from "./session.js";

export class ShellProbe {
  private readonly session: Session;
  private readonly dealer = new zmq.Dealer({ linger: 0, reconnectInterval: 2, receiveHighWaterMark: 0, sendHighWaterMark: 0 });
  private readonly waiting = new Map<string, (reply: Message) => void>();
  private closed = false;

  constructor(info: ConnectionInfo) {
    this.session = new Session(info.key, info.signature_scheme, "ephemeron-bench");
    this.dealer.connect(endpoint(info, "shell"));
    void this.listen();
  }

  /** Sends a request; resolves with the reply and the performance.now() it arrived at. */
  async request(msgType: string, content: JsonObject, timeoutMs: number): Promise<{ reply: Message; at: number }> {
    const header = this.session.makeHeader(msgType);
    const replied = new Promise<{ reply: Message; at: number }>((resolve) => {
      this.waiting.set(header.msg_id, (reply) => resolve({ reply, at: performance.now() }));
    });
    const frames = this.session.serialize({ identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] });
    void this.dealer.send(frames).catch(() => undefined);
    return withTimeout(replied, timeoutMs, msgType);
  }

  private async listen(): Promise<void> {
    try {
      for await (const frames of this.dealer) {
        let message: Message;
        try {
          message = this.session.deserialize(frames);
        } catch (error) {
          if (error instanceof WireError) continue;
          throw error;
        }
        const id = (message.parent_header as { msg_id?: string }).msg_id ?? "";
        this.waiting.get(id)?.(message);
        this.waiting.delete(id);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  close(): void {
    this.closed = true;
    this.dealer.close();
  }
}

export const EXECUTE_DEFAULTS = { silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
