// The notebook's display API: `display(value)`, typed shortcuts
// (`display.html`, `.markdown`, `.svg`, `.png`, `.jpeg`, `.json`, `.latex`),
// display ids whose handle can `update()` the output in place, and
// `clearOutput(wait)`. Mirrors IPython.display; values offering
// `[Symbol.for("Jupyter.display")]()` are shown through their own bundle (Deno).

import { randomId } from "./ids.js";
import type { JsonObject, MimeBundle } from "../../kernel/messages.js";
import { formatValue, type Formatted } from "./format.js";
import type { OutputChannel } from "./output.js";

export interface DisplayOptions {
  /** Give the output an id so a later `update` replaces it; `true` makes one up. */
  displayId?: string | true;
  metadata?: JsonObject;
}

/** `T`: what update() takes; a typed shortcut's handle takes what the shortcut took (types/runtime.d.ts). */
export interface DisplayHandle<T = unknown> {
  readonly displayId: string;
  update(value: T): Promise<void>;
}

export interface DisplayFunction {
  (value: unknown, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  html(html: string, options?: DisplayOptions): Promise<DisplayHandle<string> | undefined>;
  markdown(markdown: string, options?: DisplayOptions): Promise<DisplayHandle<string> | undefined>;
  svg(svg: string, options?: DisplayOptions): Promise<DisplayHandle<string> | undefined>;
  png(image: Uint8Array | string, options?: DisplayOptions): Promise<DisplayHandle<Uint8Array | string> | undefined>;
  jpeg(image: Uint8Array | string, options?: DisplayOptions): Promise<DisplayHandle<Uint8Array | string> | undefined>;
  json(value: unknown, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  latex(latex: string, options?: DisplayOptions): Promise<DisplayHandle<string> | undefined>;
}

/** A value that displays as exactly this bundle. */
function bundle(data: MimeBundle): { [key: symbol]: () => MimeBundle } {
  return { [Symbol.for("Jupyter.display")]: () => data };
}

function base64(image: Uint8Array | string): string {
  return typeof image === "string" ? image : Buffer.from(image).toString("base64");
}

/** The promises display() and update() return: a cell ending in `display(x)` shows x, and no `Promise { undefined }` after it. */
const displayCalls = new WeakSet<object>();

/** Whether a cell's value is what a display call returned (IPython's display returns None). */
export function isDisplayCall(value: unknown): boolean {
  return typeof value === "object" && value !== null && displayCalls.has(value);
}

function remembered<T>(promise: Promise<T>): Promise<T> {
  displayCalls.add(promise);
  return promise;
}

export function createDisplay(channel: OutputChannel): { display: DisplayFunction; clearOutput: (wait?: boolean) => void } {
  /** Sends at once (in the order of the calls, between the cell's printed lines) unless the value's display method is async. */
  const publish = (value: unknown, options: DisplayOptions, update: boolean, displayId?: string): Promise<void> => {
    const id = channel.target();
    if (id === undefined) return Promise.resolve();
    const send = (formatted: Formatted) =>
      channel.send({
        type: "display",
        id,
        update,
        content: {
          data: formatted.data,
          metadata: { ...formatted.metadata, ...options.metadata },
          transient: displayId === undefined ? {} : { display_id: displayId },
        },
      });
    try {
      const formatted = formatValue(value);
      if (formatted instanceof Promise) return formatted.then(send);
      send(formatted);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };

  /** `shown`: how an update's value is shown (a typed shortcut's handle shows it as the shortcut did). */
  const show = <T>(value: unknown, options: DisplayOptions, shown: (next: T) => unknown): Promise<DisplayHandle<T> | undefined> => {
    const displayId = options.displayId === true ? randomId() : options.displayId;
    return remembered(
      publish(value, options, false, displayId).then(() =>
        displayId === undefined ? undefined : { displayId, update: (next: T) => remembered(publish(shown(next), options, true, displayId)) },
      ),
    );
  };
  const display = ((value: unknown, options: DisplayOptions = {}) => show(value, options, (next: unknown) => next)) as DisplayFunction;

  const typed = <T>(mime: string, encode: (input: T) => unknown, plain: string) => {
    const asBundle = (input: T) => bundle({ [mime]: encode(input), "text/plain": plain });
    return (input: T, options: DisplayOptions = {}) => show(asBundle(input), options, asBundle);
  };
  display.html = typed("text/html", (s: string) => s, "<HTML>");
  display.markdown = typed("text/markdown", (s: string) => s, "<Markdown>");
  display.svg = typed("image/svg+xml", (s: string) => s, "<SVG>");
  display.png = typed("image/png", base64, "<PNG image>");
  display.jpeg = typed("image/jpeg", base64, "<JPEG image>");
  display.json = typed("application/json", (v: unknown) => v, "<JSON>");
  display.latex = typed("text/latex", (s: string) => s, "<LaTeX>");

  const clearOutput = (wait = false) => {
    const id = channel.target();
    if (id !== undefined) channel.send({ type: "clear_output", id, wait });
  };
  return { display, clearOutput };
}
