// swc's helper for `using` (`_ts_dispose_resources`) makes a SuppressedError when a disposal throws
// after the block threw, and since Node 20 has no SuppressedError, swc declares a fallback beside the
// helper: `var _SuppressedError = typeof SuppressedError === "function" ? SuppressedError : …`.
// swc 1.16's hygiene renames that declaration (`_SuppressedError1`) and not the helper's use of it,
// and such a block ended in "ReferenceError: _SuppressedError is not defined" instead of the
// SuppressedError that holds both errors. The use is given the declaration's name.

import type * as Swc from "@swc/core";
import { eachNode, type SwcNode } from "./swc.js";

const FALLBACK = "_SuppressedError";

/** What to insert into swc's output (`body`, offsets through `at`) of `source` so that the helper uses the fallback swc declared. */
export function suppressedErrorUses(body: Swc.ModuleItem[], at: (pos: number) => number, source: string): { at: number; text: string }[] {
  // A name of the cell's own: swc's output is taken as it is.
  if (source.includes(FALLBACK)) return [];
  let declared: string | undefined;
  for (const item of body) {
    if (item.type !== "VariableDeclaration") continue;
    for (const declarator of item.declarations) {
      if (declarator.id.type === "Identifier" && /^_SuppressedError\d+$/.test(declarator.id.value)) declared = declarator.id.value;
    }
  }
  if (declared === undefined) return [];
  const suffix = declared.slice(FALLBACK.length);
  const inserts: { at: number; text: string }[] = [];
  eachNode(body, (n: SwcNode) => {
    if (n.type === "Identifier" && (n as unknown as Swc.Identifier).value === FALLBACK) inserts.push({ at: at((n as unknown as Swc.Identifier).span.end), text: suffix });
    return true;
  });
  return inserts;
}
