// The notebook's display API: `display(value)`, typed shortcuts
// (`display.html`, `.markdown`, `.svg`, `.png`, `.jpeg`, `.json`, `.latex`),
// display ids whose handle can `update()` the output in place, and
// `clearOutput(wait)`. Mirrors IPython.display; values offering
// `[Symbol.for("Jupyter.display")]()` are shown through their own bundle (Deno).

import { randomId } from "./ids.js";
import type { JsonObject, MimeBundle } from "../../kernel/messages.js";
import { formatValue } from "./format.js";
import type { OutputChannel } from "./output.js";

export interface DisplayOptions {
  /** Give the output an id so a later `update` replaces it; `true` makes one up. */
  displayId?: string | true;
  metadata?: JsonObject;
}

export interface DisplayHandle {
  readonly displayId: string;
  update(value: unknown): Promise<void>;
}

export interface DisplayFunction {
  (value: unknown, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  html(html: string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  markdown(markdown: string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  svg(svg: string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  png(image: Uint8Array | string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  jpeg(image: Uint8Array | string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  json(value: unknown, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
  latex(latex: string, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
}

/** A value that displays as exactly this bundle. */
function bundle(data: MimeBundle): { [key: symbol]: () => MimeBundle } {
  return { [Symbol.for("Jupyter.display")]: () => data };
}

function base64(image: Uint8Array | string): string {
  return typeof image === "string" ? image : Buffer.from(image).toString("base64");
}

export function createDisplay(channel: OutputChannel): { display: DisplayFunction; clearOutput: (wait?: boolean) => void } {
  const publish = async (value: unknown, options: DisplayOptions, update: boolean, displayId?: string) => {
    const id = channel.target();
    if (id === undefined) return;
    const formatted = await formatValue(value);
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
  };

  const display = (async (value: unknown, options: DisplayOptions = {}) => {
    const displayId = options.displayId === true ? randomId() : options.displayId;
    await publish(value, options, false, displayId);
    if (displayId === undefined) return undefined;
    return { displayId, update: (next: unknown) => publish(next, options, true, displayId) };
  }) as DisplayFunction;

  const typed = (mime: string, encode: (input: never) => unknown, plain: string) =>
    (input: never, options?: DisplayOptions) => display(bundle({ [mime]: encode(input), "text/plain": plain }), options);
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
