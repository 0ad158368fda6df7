// The runtime's globals as values a cell may declare again (`const input = …`,
// `function id() {}`), as any name of an earlier cell: the checker takes this
// file as the session's first cell (src/compile/cell-project.ts), so a later
// declaration of the same name replaces it, as it replaces the value at run
// time. Their types are in ../memory.d.ts and ../runtime.d.ts. (`gc` is not
// here: @types/node declares it, and ../memory.d.ts adds ephemeron's members.)

/** CPython's `weakref` module (see EphemeronMemory.WeakrefModule). */
declare var weakref: EphemeronMemory.WeakrefModule;

/**
 * A small stable number per object: 1, 2, 3… in order of first request (CPython's
 * `id()` is the address). Objects only: primitives have no identity in JavaScript.
 */
declare function id(obj: object): number;

/** Shows a value as an output of the cell; `display.html(...)`, `display.png(...)` and friends for one MIME type. */
declare var display: EphemeronRuntime.Display;
/** Clears the cell's output; with `wait`, only once new output arrives. */
declare var clearOutput: (wait?: boolean) => void;
/** Asks the notebook's user for a line of text through Jupyter's stdin channel; throws EOFError when they end input (Ctrl-D in jupyter console), StdinNotImplementedError when the client takes none (nbconvert). */
declare var input: (prompt?: string, options?: EphemeronRuntime.InputOptions) => Promise<string>;
/** Jupyter comms: the channel widgets use between the kernel and the frontend. */
declare var comm: EphemeronRuntime.CommManager;
