// `import { weakref, gc, display } from "ephemeron"` in a cell (DESIGN.md: the globals are also
// importable): the notebook's own API, typed, with no package installed beside the notebook.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, streamText, type TestKernel } from "../helpers/kernel.js";

describe('cells importing "ephemeron"', () => {
  let k: TestKernel;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ephemeron-module-"));
    writeFileSync(join(dir, "collect.ts"), 'import { gc, weakref } from "ephemeron";\nexport async function collected(make: () => object): Promise<boolean> {\n  const r = weakref.ref(make());\n  await gc();\n  return r() === undefined;\n}\n');
    k = await startKernel({ cwd: dir });
  });
  afterAll(async () => {
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the notebook's own weakref, gc, id and display, which collect and call back as the globals do", async () => {
    const code =
      'import { weakref, gc, id, display } from "ephemeron";\n' +
      "class Node1 {}\nlet n: Node1 | undefined = new Node1();\n" +
      'const r = weakref.ref(n, () => console.log("called back"));\n' +
      "n = undefined;\nawait gc();\n" +
      "[r() === undefined, typeof id({}), typeof display].join(' ')";
    const { reply, iopub } = await k.client.execute(code);
    expect(reply.content.status, String(reply.content.evalue)).toBe("ok");
    expect(streamText(iopub)).toBe("called back\n");
    expect(resultText(iopub)).toBe("'true number function'");
  });

  it("is the same API as the globals, also by import * and require, even after a cell declares one of their names again", async () => {
    await k.client.execute("const display = 5;");
    const { reply, iopub } = await k.client.execute(
      'import * as eph from "ephemeron";\nconst required = require("ephemeron");\n' +
        "[eph.weakref === weakref, eph.gc === gc, required.id === id, typeof eph.display, required === eph].join(' ')",
    );
    expect(reply.content.status, String(reply.content.evalue)).toBe("ok");
    expect(resultText(iopub)).toBe("'true true true function true'");
  });

  it("is typed: a name it does not export is a type error and the cell does not run", async () => {
    const { reply, iopub } = await k.client.execute('import { collectAll } from "ephemeron";\nconsole.log("ran");');
    expect(reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(reply.content.evalue)).toContain("TS2305");
    expect(streamText(iopub)).toBe("");
    const typed = await k.client.execute('import { gc } from "ephemeron";\nconst n: string = await gc();');
    expect(String(typed.reply.content.evalue)).toContain("TS2322");
  });

  it("is what a TypeScript file beside the notebook imports from it", async () => {
    const { reply, iopub } = await k.client.execute('import { collected } from "./collect.ts";\nawait collected(() => ({ big: new Array(10).fill(1) }))');
    expect(reply.content.status, String(reply.content.evalue)).toBe("ok");
    expect(resultText(iopub)).toBe("true");
  });
});
