// A Jupyter client over the real protocol: the notebook runner uses it, and so
// do the tests and the benchmark. It connects to a kernel's five sockets,
// signs what it sends, and gathers each request's IOPub messages by parent
// msg_id up to its `idle`.

import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import type { Channel, Header, JsonObject, Message } from "./messages.js";
import { Session, WireError } from "./wire.js";

type RequestChannel = "shell" | "control" | "stdin";

export interface ExecuteOptions {
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
  /** Called for each IOPub message of this request, as it arrives. */
  onIopub?: (message: Message) => void;
  /** Answers input_request on the stdin channel. */
  onInput?: (prompt: string, password: boolean) => string | Promise<string>;
}

export interface Exchange {
  reply: Message;
  /** Every IOPub message of the request, busy to idle included, in arrival order. */
  iopub: Message[];
}

interface Pending {
  iopub: Message[];
  reply?: Message;
  idle: boolean;
  onIopub?: (message: Message) => void;
  onInput?: ExecuteOptions["onInput"];
  done: (exchange: Exchange) => void;
}

export class KernelClient {
  readonly session: Session;
  private readonly sockets: Record<RequestChannel, zmq.Dealer>;
  private readonly iopub = new zmq.Subscriber({ receiveHighWaterMark: 0, linger: 0 });
  private readonly pending = new Map<string, Pending>();
  private readonly sendQueues = new Map<RequestChannel, Promise<void>>();
  /** IOPub messages that belong to no request of this client (other clients', or late output). */
  readonly unclaimed: Message[] = [];
  private closed = false;

  constructor(
    private readonly info: ConnectionInfo,
    identity?: string,
  ) {
    this.session = new Session(info.key, info.signature_scheme, "ephemeron-client");
    const dealer = (routingId?: string) =>
      new zmq.Dealer({ linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0, ...(routingId === undefined ? {} : { routingId }) });
    // shell and stdin share one identity, so the kernel's input_request reaches this client (as jupyter_client does).
    const routing = identity ?? this.session.id;
    this.sockets = { shell: dealer(routing), control: dealer(), stdin: dealer(routing) };
  }

  /** The identity this client's shell and stdin sockets connect with (jupyter_client uses its session id). */
  get identity(): string {
    return String(this.sockets.shell.routingId);
  }

  /** `identity`: connect as another client did (jupyter_client's clients of one KernelManager share their session's). */
  static connect(info: ConnectionInfo, identity?: string): KernelClient {
    const client = new KernelClient(info, identity);
    for (const channel of ["shell", "control", "stdin"] as const) {
      client.sockets[channel].connect(endpoint(info, channel));
      void client.listen(channel);
    }
    client.iopub.connect(endpoint(info, "iopub"));
    client.iopub.subscribe();
    void client.listenIopub();
    return client;
  }

  /** Sends kernel_info until the reply and its IOPub status both arrive (the subscription is then live). */
  async waitForReady(timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    // The IOPub subscription takes a moment to reach the kernel; a request
    // whose status messages were published before it is never settled, so ask again.
    while (Date.now() < deadline) {
      const attempt = this.request("shell", "kernel_info_request", {});
      const result = await Promise.race([attempt, sleep(250).then(() => undefined)]);
      if (result) return result.reply;
    }
    throw new Error(`kernel did not answer kernel_info within ${timeoutMs / 1000} s`);
  }

  /** Sends a request; resolves with its reply and IOPub messages once the reply and `idle` have both arrived. */
  request(channel: RequestChannel, msgType: string, content: JsonObject, options: Pick<ExecuteOptions, "onIopub" | "onInput"> = {}): Promise<Exchange> {
    const header = this.session.makeHeader(msgType);
    return new Promise<Exchange>((resolve) => {
      this.pending.set(header.msg_id, { iopub: [], idle: false, onIopub: options.onIopub, onInput: options.onInput, done: resolve });
      void this.sendMessage(channel, header, content);
    });
  }

  execute(code: string, options: ExecuteOptions = {}): Promise<Exchange> {
    const { onIopub, onInput, ...flags } = options;
    return this.request(
      "shell",
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: onInput !== undefined, stop_on_error: true, ...flags },
      { onIopub, onInput },
    );
  }

  /** Sends a message with the given header (tests use this to replay or forge). */
  sendMessage(channel: RequestChannel, header: Header, content: unknown, parent: Header | Record<string, never> = {}): Promise<void> {
    return this.sendRaw(channel, this.session.serialize({ identities: [], header, parent_header: parent, metadata: {}, content, buffers: [] }));
  }

  sendRaw(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    const previous = this.sendQueues.get(channel) ?? Promise.resolve();
    const next = previous.then(() => this.sockets[channel].send(frames));
    this.sendQueues.set(channel, next.catch(() => undefined));
    return next;
  }

  private settle(id: string): void {
    const pending = this.pending.get(id);
    if (pending?.reply && pending.idle) {
      this.pending.delete(id);
      pending.done({ reply: pending.reply, iopub: pending.iopub });
    }
  }

  private async listen(channel: RequestChannel): Promise<void> {
    try {
      for await (const frames of this.sockets[channel]) {
        const message = this.parse(frames);
        if (!message) continue;
        const parentId = (message.parent_header as Partial<Header>).msg_id ?? "";
        const pending = this.pending.get(parentId);
        if (channel === "stdin") {
          if (message.header.msg_type === "input_request") void this.answerInput(message, pending);
          continue;
        }
        if (!pending) continue;
        pending.reply = message;
        this.settle(parentId);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private async answerInput(request: Message, pending: Pending | undefined): Promise<void> {
    const content = request.content as { prompt?: string; password?: boolean };
    const value = pending?.onInput ? await pending.onInput(content.prompt ?? "", content.password === true) : "";
    await this.sendMessage("stdin", this.session.makeHeader("input_reply"), { value }, request.header);
  }

  private async listenIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const message = this.parse(frames);
        if (!message) continue;
        const parentId = (message.parent_header as Partial<Header>).msg_id ?? "";
        const pending = this.pending.get(parentId);
        if (!pending) {
          this.unclaimed.push(message);
          continue;
        }
        pending.iopub.push(message);
        pending.onIopub?.(message);
        if (message.header.msg_type === "status" && (message.content as { execution_state?: string }).execution_state === "idle") {
          pending.idle = true;
          this.settle(parentId);
        }
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private parse(frames: Buffer[]): Message | undefined {
    try {
      return this.session.deserialize(frames);
    } catch (error) {
      if (error instanceof WireError) return undefined;
      throw error;
    }
  }

  /** Pings the heartbeat channel; resolves true when the echo comes back within `timeoutMs`. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    const socket = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    socket.connect(endpoint(this.info, "hb"));
    try {
      await socket.send("ping");
      const [echo] = await socket.receive();
      return echo?.toString() === "ping";
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const socket of [...Object.values(this.sockets), this.iopub]) socket.close();
  }
}

export type { Channel };

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
