// How a value is shown: text/plain exactly as Node's REPL prints it (no
// colour: ANSI codes in results show up as garbage in nbconvert's HTML and fail
// jupyter_kernel_test), plus every richer MIME type the value offers through
// `[Symbol.for("Jupyter.display")]()`, the convention Deno's kernel uses.

import { inspect, types } from "node:util";
import type { JsonObject, MimeBundle } from "../../kernel/messages.js";

export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

export interface Formatted {
  data: MimeBundle;
  metadata: JsonObject;
}

export function plainText(value: unknown): string {
  return inspect(value, { colors: false, depth: 2, showProxy: false, maxArrayLength: 100, maxStringLength: 10_000 });
}

/**
 * The proxies whose display method is looked up through them: weakref.proxy's, which forward to
 * their referent as CPython's proxy forwards IPython's `_repr_html_` lookup (set by main.ts).
 */
let displaysThrough: (proxy: object) => boolean = () => false;

export function lookUpDisplayThrough(proxies: (proxy: object) => boolean): void {
  displaysThrough = proxies;
}

function hasDisplayMethod(value: unknown): value is { [JUPYTER_DISPLAY]: () => unknown } {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  // Any other Proxy is shown as its target, as Node's REPL shows it: a lookup would run its traps
  // (a logging proxy printed "get Symbol(Jupyter.display)" under the cell).
  if (types.isProxy(value) && !displaysThrough(value)) return false;
  try {
    return typeof (value as { [JUPYTER_DISPLAY]?: unknown })[JUPYTER_DISPLAY] === "function";
  } catch {
    // A proxy whose referent is gone (weakref.proxy) throws on any lookup; it is shown as Node shows it.
    return false;
  }
}

/**
 * The MIME bundle for a value; a display method's bundle wins, text/plain is always there.
 * Synchronous unless the display method returns a promise: display() sends in the order of calls.
 */
export function formatValue(value: unknown): Formatted | Promise<Formatted> {
  if (!hasDisplayMethod(value)) return bundleOf(value, undefined);
  const offered = value[JUPYTER_DISPLAY]();
  // A promise of the notebook's realm is no `instanceof Promise` here: any thenable is awaited.
  const thenable = typeof offered === "object" && offered !== null && typeof (offered as { then?: unknown }).then === "function";
  return thenable ? Promise.resolve(offered).then((bundle: unknown) => bundleOf(value, bundle)) : bundleOf(value, offered);
}

function bundleOf(value: unknown, offered: unknown): Formatted {
  const data: MimeBundle = {};
  let metadata: JsonObject = {};
  if (typeof offered === "object" && offered !== null) {
    const { metadata: offeredMetadata, ...bundle } = offered as MimeBundle & { metadata?: JsonObject };
    Object.assign(data, bundle);
    if (offeredMetadata && typeof offeredMetadata === "object") metadata = offeredMetadata;
  }
  if (typeof data["text/plain"] !== "string") data["text/plain"] = plainText(value);
  return { data, metadata };
}
