// One place for what every request shares: verify and parse the frames, queue
// requests per channel, publish busy → (handler's work) → reply → idle under
// the request's parent header, and turn a failing handler into an error reply.
// Handlers only compute replies; adding a message type is one table row.

import type { Channel, Header, JsonObject, Message } from "./messages.js";
import { replyType } from "./messages.js";
import { WireError, type Session, type WireErrorKind } from "./wire.js";
import type { ReceivingChannel, Transport } from "./sockets.js";
import { createLogger } from "./log.js";
import { COMM_MESSAGES } from "./comms.js";
import { STDIN_REFUSED } from "../src/runtime/protocol.js";

const log = createLogger("dispatcher");
const MAX_DISTINCT_WARNINGS = 100;

export interface RequestContext {
  readonly request: Message;
  readonly channel: "shell" | "control";
  /** How many requests the kernel had received when this one arrived (it included). */
  readonly arrival: number;
  /** How many requests the kernel has received so far. */
  received(): number;
  /** Sends a message on IOPub with this request as its parent. */
  publish(msgType: string, content: unknown, metadata?: JsonObject, buffers?: Buffer[]): void;
  /** Runs `action` once the reply and the idle status have been sent. */
  afterReply(action: () => void): void;
  /** Asks the client that sent this request for a line of input on the stdin channel. */
  input(prompt: string, password: boolean): Promise<string>;
}

export type Handler = (context: RequestContext) => Promise<JsonObject> | JsonObject;

export interface HandlerTable {
  shell: Record<string, Handler>;
  control: Record<string, Handler>;
  /** Runs before a queued shell request; returning a reply skips the handler (used to abort after an error). */
  beforeShell?: (request: Message, arrival: number) => JsonObject | undefined;
}

export class Dispatcher {
  private readonly queues: Record<"shell" | "control", Promise<void>> = {
    shell: Promise.resolve(),
    control: Promise.resolve(),
  };
  private readonly loggedKinds = new Set<WireErrorKind>();
  /** input_request msg_id → who waits for the answer, and which request asked. */
  private readonly pendingInput = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void; requestId: string }>();
  private arrivals = 0;
  private readonly warned = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly transport: Transport,
    private readonly handlers: HandlerTable,
  ) {}

  start(): void {
    this.transport.listen((channel, frames) => this.receive(channel, frames));
    this.publish(undefined, "status", { execution_state: "starting" });
  }

  /** Sends a message on IOPub; `parent` is the request it answers, if any. */
  publish(parent: Message | undefined, msgType: string, content: unknown, metadata: JsonObject = {}, buffers: Buffer[] = []): Promise<void> {
    const topic = Buffer.from(`kernel.${this.session.id}.${msgType}`);
    return this.send("iopub", [topic], parent?.header, msgType, content, metadata, buffers);
  }

  private send(
    channel: Channel,
    identities: Buffer[],
    parent: Header | undefined,
    msgType: string,
    content: unknown,
    metadata: JsonObject = {},
    buffers: Buffer[] = [],
  ): Promise<void> {
    const frames = this.session.serialize({
      identities,
      header: this.session.makeHeader(msgType),
      parent_header: parent ?? {},
      metadata,
      content,
      buffers,
    });
    return this.transport.send(channel, frames);
  }

  private receive(channel: ReceivingChannel, frames: Buffer[]): void {
    let message: Message;
    try {
      message = this.session.deserialize(frames);
    } catch (error) {
      if (error instanceof WireError) {
        // Once per kind: a flood of forged messages must not flood the log too.
        if (!this.loggedKinds.has(error.kind)) log.warn(`dropped a message on ${channel}: ${error.message} (further '${error.kind}' drops are not logged)`);
        this.loggedKinds.add(error.kind);
        return;
      }
      throw error;
    }
    if (channel === "stdin") {
      this.receiveInputReply(message);
      return;
    }
    const arrival = ++this.arrivals;
    this.queues[channel] = this.queues[channel].then(() => this.handle(channel, message, arrival));
  }

  private receiveInputReply(message: Message): void {
    if (message.header.msg_type !== "input_reply") return;
    // jupyter_client's console and the classic Notebook reply with an empty parent_header;
    // ipykernel takes such a reply as the answer to the oldest question, and so do we.
    const parentId = (message.parent_header as Partial<Header>).msg_id;
    const key = parentId !== undefined && this.pendingInput.has(parentId) ? parentId : this.pendingInput.keys().next().value;
    const resolve = key === undefined ? undefined : this.pendingInput.get(key)?.resolve;
    if (key === undefined || !resolve) {
      this.warnOnce("input_reply", "input_reply for no pending input_request");
      return;
    }
    this.pendingInput.delete(key);
    const value = (message.content as { value?: unknown }).value;
    resolve(typeof value === "string" ? value : "");
  }

  private async handle(channel: "shell" | "control", request: Message, arrival: number): Promise<void> {
    const msgType = request.header.msg_type;
    // Own properties only: a msg_type of "constructor" or "toString" must not find Object's.
    const handler = Object.hasOwn(this.handlers[channel], msgType) ? this.handlers[channel][msgType] : undefined;
    // Sends are queued per socket in order, so nothing here waits for them to leave,
    // except the actions that must come after the reply (a shutdown's exit).
    void this.publish(request, "status", { execution_state: "busy" });
    let reply: JsonObject;
    const afterReply: (() => void)[] = [];
    if (!handler) {
      this.warnOnce(`unknown:${msgType}`, `no handler for ${msgType} on ${channel}`);
      reply = { status: "error", ename: "UnknownMessageType", evalue: `unknown message type '${msgType}'`, traceback: [] };
    } else {
      const early = channel === "shell" ? this.handlers.beforeShell?.(request, arrival) : undefined;
      try {
        reply = early ?? (await handler(this.contextFor(channel, request, arrival, afterReply)));
      } catch (error) {
        const e = error as Error;
        this.warnOnce(`failed:${msgType}:${e.message}`, `${msgType} failed: ${e.stack ?? e.message}`);
        reply = { status: "error", ename: e.name ?? "Error", evalue: e.message ?? String(error), traceback: [] };
      }
    }
    // comm_open, comm_msg and comm_close have no reply in the protocol.
    const replied = COMM_MESSAGES.has(msgType) ? undefined : this.send(channel, request.identities, request.header, replyType(msgType), reply);
    const idle = this.publish(request, "status", { execution_state: "idle" });
    // A question left unanswered when its cell ended (interrupted, or an input() not awaited) must not
    // take the next cell's answer; the code still waiting on it learns why no answer comes.
    for (const [id, pending] of this.pendingInput) {
      if (pending.requestId !== request.header.msg_id) continue;
      this.pendingInput.delete(id);
      pending.reject(new Error("input() got no answer: the cell that asked ended first (await input() in the cell that asks)"));
    }
    if (afterReply.length > 0) {
      await Promise.all([replied, idle]);
      for (const action of afterReply) action();
    }
  }

  /** A client holding the key could otherwise fill the log with one line per message. */
  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key) || this.warned.size >= MAX_DISTINCT_WARNINGS) return;
    this.warned.add(key);
    log.warn(`${message} (not repeated)`);
  }

  private contextFor(channel: "shell" | "control", request: Message, arrival: number, afterReply: (() => void)[]): RequestContext {
    return {
      afterReply: (action) => afterReply.push(action),
      request,
      channel,
      arrival,
      received: () => this.arrivals,
      publish: (msgType, content, metadata, buffers) => void this.publish(request, msgType, content, metadata, buffers),
      input: (prompt, password) => {
        const allowed = (request.content as { allow_stdin?: unknown }).allow_stdin;
        if (allowed === false) {
          return Promise.reject(new Error(STDIN_REFUSED));
        }
        const inputRequest = this.session.makeHeader("input_request");
        const reply = new Promise<string>((resolve, reject) => this.pendingInput.set(inputRequest.msg_id, { resolve, reject, requestId: request.header.msg_id }));
        const frames = this.session.serialize({
          identities: request.identities,
          header: inputRequest,
          parent_header: request.header,
          metadata: {},
          content: { prompt, password },
          buffers: [],
        });
        void this.transport.send("stdin", frames);
        return reply;
      },
    };
  }
}
