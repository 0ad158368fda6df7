// Comms (the channel ipywidgets use): comm_open / comm_msg / comm_close from
// the frontend arrive on shell and go to the runtime, where the notebook's
// `comm` API handles them (src/runtime/comm.ts); what the runtime sends back
// goes out on IOPub under that message. comm_info_request lists the open
// comms, optionally for one target. The three comm messages have no reply
// (the dispatcher sends none), as the protocol says.

import type { Handler, RequestContext } from "./dispatcher.js";
import type { RuntimeSupervisor } from "./runtime-supervisor.js";
import type { JsonObject } from "./messages.js";
import { createLogger } from "./log.js";

const log = createLogger("comms");

export const COMM_MESSAGES = new Set(["comm_open", "comm_msg", "comm_close"]);

export function commHandlers(runtime: RuntimeSupervisor): Record<string, Handler> {
  const deliver = (msgType: "comm_open" | "comm_msg" | "comm_close") => async (context: RequestContext): Promise<JsonObject> => {
    const { request } = context;
    if (typeof request.content.comm_id !== "string") throw new TypeError(`${msgType} needs 'comm_id' as a string`);
    const error = await runtime.deliverComm(
      { id: request.header.msg_id, msgType, content: request.content, buffers: request.buffers },
      {
        stream: (name, text) => context.publish("stream", { name, text }),
        display: (content, update) => context.publish(update ? "update_display_data" : "display_data", content),
        clearOutput: (wait) => context.publish("clear_output", { wait }),
        input: () => Promise.reject(new Error("input() is not available in a comm handler")),
        comm: (type, content, buffers) => context.publish(type, content, {}, buffers),
      },
    );
    if (error) log.debug(`${msgType} ${request.content.comm_id}: ${error}`);
    return { status: error ? "error" : "ok" };
  };
  return {
    comm_open: deliver("comm_open"),
    comm_msg: deliver("comm_msg"),
    comm_close: deliver("comm_close"),
    comm_info_request: ({ request }) => {
      const wanted = typeof request.content.target_name === "string" ? request.content.target_name : undefined;
      const comms: JsonObject = {};
      for (const [commId, targetName] of runtime.comms) {
        if (wanted === undefined || wanted === targetName) comms[commId] = { target_name: targetName };
      }
      return { status: "ok", comms };
    },
  };
}
