// Runs cells, one at a time, in the notebook's context. A cell is a script
// whose completion value is a promise of `{ value }` (it ended in an
// expression) or undefined (see src/compile/transform.ts). The value becomes
// the execute_result; a throw becomes the cell's error.

import vm from "node:vm";
import type { CellResult, ExecuteCell } from "./protocol.js";
import type { ErrorContent } from "../../kernel/messages.js";
import { cellScope, type OutputChannel } from "./output.js";
import { formatValue } from "./format.js";
import { isDisplayCall } from "./display.js";
import { CellRegistry, formatError } from "./traceback.js";
import { asDynamicImport, importWithAttributes } from "./imports.js";
import { FunctionSources } from "./function-sources.js";

export interface CellOutcome {
  result?: CellResult;
  error?: ErrorContent;
}

export class Evaluator {
  readonly cells = new CellRegistry();
  /** The texts of the cells' functions, which `f.toString()` shows. */
  private readonly functionSources = new FunctionSources();
  /** `import()` written in a cell, resolved from the notebook's folder like a static import (not the working directory a cell may change). */
  private readonly importDynamically: vm.ScriptOptions["importModuleDynamically"];

  constructor(
    private readonly context: vm.Context,
    private readonly channel: OutputChannel,
    notebookFolder: string,
  ) {
    this.importDynamically = (async (specifier: string, _script: unknown, attributes?: ImportAttributes) =>
      asDynamicImport(await importWithAttributes(specifier, notebookFolder, attributes), context)) as unknown as vm.ScriptOptions["importModuleDynamically"];
    // The notebook's realm, and the runtime's, whose Function.prototype.toString the packages a cell
    // requires call (`Function.prototype.toString.call(fn)`: parameter names, dependency injection).
    this.functionSources.install((context as { Function: FunctionConstructor }).Function);
    this.functionSources.install(Function);
  }

  async run(cell: ExecuteCell): Promise<CellOutcome> {
    this.cells.add(cell.filename, cell.label, cell.source, cell.map);
    if (cell.functions) this.functionSources.remember(cell.functions);
    this.channel.startCell(cell.id);
    try {
      const completion = cellScope.run({ id: cell.id }, () => {
        const script = new vm.Script(cell.code, { filename: cell.filename, importModuleDynamically: this.importDynamically });
        return script.runInContext(this.context) as unknown;
      });
      // Never settling (`await new Promise(() => {})`) is fine: an interrupt answers for the cell (main.ts).
      const settled = await completion;
      if (typeof settled === "object" && settled !== null && "value" in settled) {
        const value = (settled as { value: unknown }).value;
        if (value !== undefined && !isDisplayCall(value)) return { result: await formatValue(value) };
      }
      return {};
    } catch (error) {
      return { error: formatError(error, this.cells) };
    }
  }

  /** Reports an error that escaped every cell (a throwing timer, an unhandled rejection) to the cell that caused it. */
  reportUncaught(kind: string, error: unknown): void {
    // Without the rule and the "Traceback (most recent call last)" header, which a thrown non-error (`throw 42`) has not.
    const lines = formatError(error, this.cells).traceback.slice(1);
    if (lines[0]?.includes("Traceback (most recent call last)")) lines.shift();
    this.channel.stream("stderr", `${kind}:\n${lines.join("\n")}\n`);
  }
}
