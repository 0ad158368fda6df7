// A function's text, as `f.toString()` and `String(f)` give it: the function as the cell wrote it
// (its types taken out: src/compile/function-texts.ts), as V8 gives a script's own text. What V8
// has is the compiled cell: swc's reformatted JavaScript, a function declaration's name dropped
// when its body calls it, and the interrupt checks woven into every async function. So the
// transform marks each function with a comment right after its first token (where no nested
// function can come first), `/*@ephemeron KEY N*/`: text N of the cell whose texts are known by
// KEY (the cell's source's, as a cell run again as it was reuses its compiled code). The kernel
// sends the texts with the cell, and the notebook's Function.prototype.toString gives them.

import type { FunctionTexts } from "./protocol.js";

const MARK_START = "/*@ephemeron ";
const MARK = /\/\*@ephemeron ([0-9a-f]{12}) (\d+)\*\//;
const EVERY_MARK = /\/\*@ephemeron [0-9a-f]{12} \d+\*\//g;
/**
 * A function's first token as V8's text of it starts, after which a comment is allowed and no
 * nested function starts: a keyword, a name, `#name`, a string or number (a method's key), `(`, `[`, `*`.
 */
export const FIRST_TOKEN = /^(?:#?[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\.?\d[\w.]*|[(\[*])/u;
/** Cells whose function texts are kept: as many as tracebacks keep (traceback.ts). */
const REMEMBERED_CELLS = 1000;


/** The comment the transform writes into a function whose text is text `index` of the cell `key`. */
export function functionSourceMark(key: string, index: number): string {
  return `${MARK_START}${key} ${index}*/`;
}

/**
 * `text` without the marks of functions: V8 writes a function's compiled text into some messages
 * (`structuredClone(f)`: "… could not be cloned.").
 */
export function withoutMarks(text: string): string {
  return text.includes(MARK_START) ? text.replace(EVERY_MARK, "") : text;
}

export class FunctionSources {
  private readonly cells = new Map<string, readonly string[]>();

  /** A cell's function texts, which the marks in its code point to. */
  remember(functions: FunctionTexts): void {
    this.cells.delete(functions.key);
    if (this.cells.size >= REMEMBERED_CELLS) this.cells.delete(this.cells.keys().next().value!);
    this.cells.set(functions.key, functions.texts);
  }

  /**
   * `compiled` (what V8 gives for a function), as the cell wrote it. Its own mark follows its first
   * token; without one (a function swc wrote), or when its cell is forgotten, the compiled text
   * without the marks of the functions inside it.
   */
  text(compiled: string): string {
    if (!compiled.includes(MARK_START)) return compiled;
    const at = FIRST_TOKEN.exec(compiled)?.[0].length ?? -1;
    const mark = at >= 0 ? MARK.exec(compiled.slice(at, at + 64)) : null;
    const text = mark?.index === 0 ? this.cells.get(mark[1]!)?.[Number(mark[2])] : undefined;
    return text ?? compiled.replace(EVERY_MARK, "");
  }

  /** The realm's Function.prototype.toString gives the texts as the cells wrote them (other functions' as before). */
  install(realmFunction: FunctionConstructor): void {
    const prototype = realmFunction.prototype;
    const native = prototype.toString;
    const texts = this;
    const toString = function toString(this: unknown): string {
      // Looks native itself, as the function it replaces did.
      if (this === toString) return "function toString() { [native code] }";
      // Throws for a `this` that is no function, in the native words.
      return texts.text(Reflect.apply(native, this, []) as string);
    };
    // The notebook's own function, as the one it replaces: `toString.toString()` and `instanceof Function`.
    Object.setPrototypeOf(toString, prototype);
    Object.defineProperty(prototype, "toString", { value: toString, writable: true, configurable: true, enumerable: false });
  }
}
