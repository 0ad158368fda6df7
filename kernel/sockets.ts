// The kernel's five ZeroMQ sockets (zeromq 6), bound to the connection file's
// ip only. The dispatcher sees them through the small Transport interface, so
// it can run in tests without ZeroMQ. zeromq.js accepts one pending send per
// socket ("EBUSY: Socket is busy writing"), so sends are queued per socket and
// awaited in order; that is also what keeps output ahead of its `idle`.

import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./connection.js";
import type { Channel } from "./messages.js";
import { createLogger } from "./log.js";

const log = createLogger("sockets");

export type ReceivingChannel = "shell" | "control" | "stdin";

export interface Transport {
  /** Calls `handler` with the raw frames of every message that arrives on a receiving channel. */
  listen(handler: (channel: ReceivingChannel, frames: Buffer[]) => void): void;
  /** Queues frames for sending; resolves once ZeroMQ has taken them. */
  send(channel: Channel, frames: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly socket: zmq.Writable) {}

  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(() => this.socket.send(frames)).catch((error: Error) => {
      log.error(`send failed: ${error.message}`);
    });
    return this.tail;
  }

  drained(): Promise<void> {
    return this.tail;
  }
}

export class ZmqTransport implements Transport {
  private readonly receivers: Record<ReceivingChannel, zmq.Router>;
  private readonly iopub = new zmq.Publisher({ linger: 1000, sendHighWaterMark: 0 });
  private readonly heartbeat = new zmq.Reply({ linger: 0 });
  private readonly queues: Record<Channel, SendQueue>;
  private closed = false;

  private constructor() {
    // handover: a client that connects with an identity already in use (jupyter_client makes it of the
    // session id: a second `km.client()`, or a reconnect while the old connection is half open) takes
    // the connection over, as ipykernel's routers do; without it the router drops the newcomer.
    const router = () => new zmq.Router({ linger: 1000, sendHighWaterMark: 0, receiveHighWaterMark: 0, handover: true });
    this.receivers = { shell: router(), control: router(), stdin: router() };
    this.queues = {
      shell: new SendQueue(this.receivers.shell),
      control: new SendQueue(this.receivers.control),
      stdin: new SendQueue(this.receivers.stdin),
      iopub: new SendQueue(this.iopub),
    };
  }

  static async bind(info: ConnectionInfo): Promise<ZmqTransport> {
    const transport = new ZmqTransport();
    await Promise.all([
      transport.receivers.shell.bind(endpoint(info, "shell")),
      transport.receivers.control.bind(endpoint(info, "control")),
      transport.receivers.stdin.bind(endpoint(info, "stdin")),
      transport.iopub.bind(endpoint(info, "iopub")),
      transport.heartbeat.bind(endpoint(info, "hb")),
    ]);
    void transport.echoHeartbeats();
    return transport;
  }

  /** Heartbeat: echo every ping. The kernel process never runs user code, so this keeps answering while a cell runs. */
  private async echoHeartbeats(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (error) {
      if (!this.closed) log.error(`heartbeat stopped: ${(error as Error).message}`);
    }
  }

  listen(handler: (channel: ReceivingChannel, frames: Buffer[]) => void): void {
    for (const channel of ["shell", "control", "stdin"] as const) {
      void (async () => {
        try {
          for await (const frames of this.receivers[channel]) handler(channel, frames);
        } catch (error) {
          if (!this.closed) log.error(`${channel} receive stopped: ${(error as Error).message}`);
        }
      })();
    }
  }

  send(channel: Channel, frames: Buffer[]): Promise<void> {
    return this.queues[channel].send(frames);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Let queued replies and output leave before the sockets go.
    await Promise.all(Object.values(this.queues).map((queue) => queue.drained()));
    for (const socket of [...Object.values(this.receivers), this.iopub, this.heartbeat]) socket.close();
  }
}
