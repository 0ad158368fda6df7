// The runtime's own listeners on `process`, which the notebook shares: the kernel's messages
// ("message", "disconnect"), the errors no cell caught, SIGINT, and Node's own bookkeeping (a
// signal listener gets its handler through "newListener"; the IPC channel is kept referenced
// through "newListener" and "removeListener"). A cell's `process.removeAllListeners()` took them
// all: the runtime never heard of the next cell, and the kernel waited for it forever; one of
// "uncaughtException" made the next throw in a timer end the session. Here removeAllListeners
// removes what the notebook added, as asked, and puts the runtime's own back.
// "warning" is the notebook's to empty: that is how a program silences Node's warnings.

type Listener = (...args: unknown[]) => void;

/** Keeps every listener `process` has now (but "warning"'s) through any later `removeAllListeners`. */
export function keepProcessListeners(): void {
  // As an EventEmitter: @types/node types process's listeners() by the names of its events only.
  const emitter: NodeJS.EventEmitter = process;
  const kept = new Map<string | symbol, Listener[]>();
  for (const event of emitter.eventNames()) {
    if (event !== "warning") kept.set(event, emitter.listeners(event) as Listener[]);
  }
  const removeAll = emitter.removeAllListeners;
  Object.defineProperty(process, "removeAllListeners", {
    configurable: true,
    writable: true,
    enumerable: false,
    // With no event, Node's own removeAllListeners calls this one for each event in turn: each is put back
    // at once, Node's "newListener" before the runtime's "message" (which the channel's reference count follows).
    value: function removeAllListeners(this: NodeJS.EventEmitter, ...event: [] | [string | symbol]): NodeJS.EventEmitter {
      Reflect.apply(removeAll, this, event);
      for (const [name, listeners] of kept) {
        if (event.length > 0 && event[0] !== name) continue;
        const present = this.listeners(name);
        for (const listener of listeners) if (!present.includes(listener)) this.on(name, listener);
      }
      return this;
    },
  });
}
