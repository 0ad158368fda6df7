/**
 * Globals every notebook cell sees for talking to the notebook itself:
 * `display`, `clearOutput`, `input` and `comm` (src/runtime/display.ts,
 * input.ts, comm.ts). Mirrors IPython.display, Python's input() under
 * ipykernel and ipykernel's comm API; objects offering
 * `[Symbol.for("Jupyter.display")]()` display through their bundle (Deno).
 *
 * Self-contained on purpose: the cell type checker loads every types/*.d.ts
 * as globals.
 */

declare namespace EphemeronRuntime {
  /** A MIME bundle: MIME type → data (text, base64 or JSON). */
  type MimeBundle = { [mime: string]: unknown };

  interface DisplayOptions {
    /** Give the output an id so a later `update` replaces it; `true` makes one up. */
    displayId?: string | true;
    metadata?: { [key: string]: unknown };
  }

  interface DisplayHandle {
    readonly displayId: string;
    /** Replaces the output shown under this display id (update_display_data). */
    update(value: unknown): Promise<void>;
  }

  /** Options that give the output a display id: the call resolves to a handle. */
  interface DisplayOptionsWithId extends DisplayOptions {
    displayId: string | true;
  }

  /** The handle of `display.html(…)`, `display.png(…)` and the others: `update` takes what the call took. */
  interface TypedDisplayHandle<T> {
    readonly displayId: string;
    /** Replaces the output shown under this display id with `value`, shown as the call showed its own. */
    update(value: T): Promise<void>;
  }

  interface Display {
    /** Shows a value as an output of the cell, with every MIME type it offers. */
    (value: unknown, options: DisplayOptions & { displayId: string | true }): Promise<DisplayHandle>;
    (value: unknown, options?: DisplayOptions): Promise<DisplayHandle | undefined>;
    html(html: string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<string>>;
    html(html: string, options?: DisplayOptions): Promise<TypedDisplayHandle<string> | undefined>;
    markdown(markdown: string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<string>>;
    markdown(markdown: string, options?: DisplayOptions): Promise<TypedDisplayHandle<string> | undefined>;
    svg(svg: string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<string>>;
    svg(svg: string, options?: DisplayOptions): Promise<TypedDisplayHandle<string> | undefined>;
    /** Bytes, or a base64 string. */
    png(image: Uint8Array | string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<Uint8Array | string>>;
    png(image: Uint8Array | string, options?: DisplayOptions): Promise<TypedDisplayHandle<Uint8Array | string> | undefined>;
    /** Bytes, or a base64 string. */
    jpeg(image: Uint8Array | string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<Uint8Array | string>>;
    jpeg(image: Uint8Array | string, options?: DisplayOptions): Promise<TypedDisplayHandle<Uint8Array | string> | undefined>;
    json(value: unknown, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<unknown>>;
    json(value: unknown, options?: DisplayOptions): Promise<TypedDisplayHandle<unknown> | undefined>;
    latex(latex: string, options: DisplayOptionsWithId): Promise<TypedDisplayHandle<string>>;
    latex(latex: string, options?: DisplayOptions): Promise<TypedDisplayHandle<string> | undefined>;
  }

  interface InputOptions {
    /** Ask without echoing what is typed. */
    password?: boolean;
  }

  type CommData = { [key: string]: unknown };
  type CommBuffers = (ArrayBuffer | ArrayBufferView)[];

  interface CommMessage {
    data: CommData;
    buffers: Uint8Array[];
  }

  interface Comm {
    readonly commId: string;
    readonly targetName: string;
    /** Sends comm_msg to the frontend. */
    send(data?: CommData, buffers?: CommBuffers): void;
    /** Called for each comm_msg the frontend sends on this comm. */
    onMsg(handler: (message: CommMessage) => void): void;
    /** Called when the frontend closes the comm. */
    onClose(handler: (message: CommMessage) => void): void;
    /** Sends comm_close to the frontend (once). */
    close(data?: CommData, buffers?: CommBuffers): void;
  }

  interface CommManager {
    /** Opens a comm to a target the frontend registered (comm_open). */
    open(targetName: string, data?: CommData, buffers?: CommBuffers): Comm;
    /** Accepts comm_open from the frontend for this target. */
    registerTarget(targetName: string, handler: (comm: Comm, openMessage: CommMessage) => void): void;
    unregisterTarget(targetName: string): void;
  }
}
