// Jupyter comms in the notebook: `comm.registerTarget(name, (comm, open) => …)`
// accepts comm_open from the frontend, `comm.open(target, data)` opens one
// from the kernel, and each comm can `send(data, buffers)`, `onMsg`, `onClose`
// and `close()`. Mirrors ipykernel's comm API (comm.Comm, CommManager), the
// channel ipywidgets use; buffers travel as binary frames both ways.
// Differences: camelCase names, and a comm_open for a target nobody registered
// is answered with comm_close at once (ipykernel logs and closes too).

import { randomId } from "./ids.js";
import type { JsonObject } from "../../kernel/messages.js";
import type { CommIncoming, CommOutgoing } from "./protocol.js";
import { cellScope, type OutputChannel } from "./output.js";

type CommData = Record<string, unknown>;
type CommBuffers = (ArrayBuffer | ArrayBufferView)[];

export interface CommMessage {
  data: CommData;
  buffers: Uint8Array[];
}

/** Buffers as the IPC channel carries them (protocol.ts). */
function toBase64(buffers: CommBuffers | undefined): string[] {
  return (buffers ?? []).map((buffer) =>
    (ArrayBuffer.isView(buffer) ? Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength) : Buffer.from(buffer)).toString("base64"),
  );
}

export class Comm {
  private readonly messageHandlers: ((message: CommMessage) => void)[] = [];
  private readonly closeHandlers: ((message: CommMessage) => void)[] = [];
  private closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly manager: CommManager,
  ) {}

  send(data: CommData = {}, buffers?: CommBuffers): void {
    if (this.closed) throw new Error(`comm ${this.commId} is closed`);
    this.manager.emit("comm_msg", { comm_id: this.commId, data: data as JsonObject }, toBase64(buffers));
  }

  onMsg(handler: (message: CommMessage) => void): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: (message: CommMessage) => void): void {
    this.closeHandlers.push(handler);
  }

  close(data: CommData = {}, buffers?: CommBuffers): void {
    if (this.closed) return;
    this.closed = true;
    this.manager.forget(this.commId);
    this.manager.emit("comm_close", { comm_id: this.commId, data: data as JsonObject }, toBase64(buffers));
  }

  /** A comm_msg or comm_close from the frontend. */
  async receive(kind: "comm_msg" | "comm_close", message: CommMessage): Promise<void> {
    if (kind === "comm_close") {
      this.closed = true;
      this.manager.forget(this.commId);
    }
    for (const handler of kind === "comm_msg" ? this.messageHandlers : this.closeHandlers) await handler(message);
  }
}

export class CommManager {
  private readonly targets = new Map<string, (comm: Comm, open: CommMessage) => void>();
  private readonly comms = new Map<string, Comm>();

  constructor(private readonly channel: OutputChannel) {}

  /** The notebook's `comm` global. */
  api() {
    return {
      open: (targetName: string, data: CommData = {}, buffers?: CommBuffers): Comm => {
        const comm = new Comm(randomId(), targetName, this);
        this.comms.set(comm.commId, comm);
        this.emit("comm_open", { comm_id: comm.commId, target_name: targetName, data: data as JsonObject }, toBase64(buffers));
        return comm;
      },
      registerTarget: (targetName: string, handler: (comm: Comm, open: CommMessage) => void): void => {
        this.targets.set(targetName, handler);
      },
      unregisterTarget: (targetName: string): void => {
        this.targets.delete(targetName);
      },
    };
  }

  emit(kind: CommOutgoing["msgType"], content: JsonObject & { comm_id: string }, buffers: string[]): void {
    const id = this.channel.target();
    // Before any cell ran there is no request to publish under: nothing to show it to yet.
    if (id === undefined) return;
    this.channel.send({ type: "comm", id, msgType: kind, content, buffers });
  }

  forget(commId: string): void {
    this.comms.delete(commId);
  }

  /** A comm message from the frontend; `id` is its msg_id, so output of the handlers goes under it. */
  async receive(message: CommIncoming, reportError: (error: unknown) => void): Promise<void> {
    // Output of the handlers, and the error one throws, go under the comm message; once they are
    // done, work no cell or comm started (a file watcher's callback) goes where it went before.
    const before = cellScope.getStore();
    const scope = { id: message.id };
    try {
      await this.handle(message, scope);
    } catch (error) {
      reportError(error);
      throw error;
    } finally {
      cellScope.restore(scope, before);
    }
  }

  private async handle(message: CommIncoming, scope: { id: string }): Promise<void> {
    await cellScope.run(scope, async () => {
      const content = message.content as { comm_id?: unknown; target_name?: unknown; data?: unknown };
      const commId = String(content.comm_id ?? "");
      const data = (typeof content.data === "object" && content.data !== null ? content.data : {}) as CommData;
      const payload: CommMessage = { data, buffers: message.buffers.map((base64) => Buffer.from(base64, "base64")) };
      if (message.msgType === "comm_open") {
        const targetName = String(content.target_name ?? "");
        const handler = this.targets.get(targetName);
        if (!handler) {
          this.emit("comm_close", { comm_id: commId, data: {} }, []);
          throw new Error(`no comm target '${targetName}' is registered (comm.registerTarget)`);
        }
        const comm = new Comm(commId, targetName, this);
        this.comms.set(commId, comm);
        try {
          await handler(comm, payload);
        } catch (error) {
          // As ipykernel: a comm its target could not open is closed, so the frontend's side does not wait on it.
          comm.close();
          throw error;
        }
        return;
      }
      await this.comms.get(commId)?.receive(message.msgType, payload);
    });
  }
}
