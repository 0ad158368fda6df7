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

/** display.json's data as indented JSON text; what JSON cannot write (undefined, a BigInt) keeps the placeholder. */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? "<JSON>";
  } catch {
    return "<JSON>";
  }
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

  /**
   * `plain`: the text/plain every bundle carries for the clients that render no richer type:
   * jupyter console and `jupyter run` print it, nbconvert's HTML has no JSON renderer, nor has the
   * classic Notebook. Markdown, LaTeX and JSON read well as their own text, so that is what they get;
   * HTML, SVG and images would be a wall of markup or base64, so they get a placeholder.
   */
  const typed = <T>(mime: string, encode: (input: T) => unknown, plain: (input: T) => string) => {
    const asBundle = (input: T) => bundle({ [mime]: encode(input), "text/plain": plain(input) });
    return (input: T, options: DisplayOptions = {}) => show(asBundle(input), options, asBundle);
  };
  const placeholder = (text: string) => () => text;
  const itself = (s: string) => s;
  display.html = typed("text/html", itself, placeholder("<HTML>"));
  display.markdown = typed("text/markdown", itself, itself);
  display.svg = typed("image/svg+xml", itself, placeholder("<SVG>"));
  display.png = typed("image/png", base64, placeholder("<PNG image>"));
  display.jpeg = typed("image/jpeg", base64, placeholder("<JPEG image>"));
  display.json = typed("application/json", (v: unknown) => v, jsonText);
  display.latex = typed("text/latex", itself, itself);

  const clearOutput = (wait = false) => {
    const id = channel.target();
    if (id !== undefined) channel.send({ type: "clear_output", id, wait });
  };
  return { display, clearOutput };
}
