// history_request over the real protocol, with the history file kept under
// $JUPYTER_DATA_DIR: tail, range and search, sessions numbered so that a
// restarted kernel is the next session and still finds the earlier ones.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type TestKernel } from "../helpers/kernel.js";

type Row = [number, number, string | [string, string | null]];

async function history(k: TestKernel, content: Record<string, unknown>): Promise<Row[]> {
  const { reply } = await k.client.request("shell", "history_request", { output: false, raw: true, ...content });
  expect(reply.content.status).toBe("ok");
  return reply.content.history as Row[];
}

async function shutdown(k: TestKernel): Promise<void> {
  await k.client.request("control", "shutdown_request", { restart: true });
  await k.kernel.exited;
  await k.close();
}

describe("input history across sessions", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "ephemeron-history-"));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env = () => ({ JUPYTER_DATA_DIR: dataDir });

  it("a restarted kernel is the next session and finds the earlier session's inputs by range, tail and search", async () => {
    const first = await startKernel({ env: env() });
    await first.client.execute("const first = 1;");
    await first.client.execute("first + 1");
    const firstRows = await history(first, { hist_access_type: "tail", n: 10 });
    const session = firstRows[0]![0];
    expect(firstRows.map((row) => row.slice(1))).toEqual([
      [1, "const first = 1;"],
      [2, "first + 1"],
    ]);
    await shutdown(first);

    const second = await startKernel({ env: env() });
    try {
      await second.client.execute('const second = "two";');
      const tail = await history(second, { hist_access_type: "tail", n: 3 });
      expect(tail).toEqual([
        [session, 1, "const first = 1;"],
        [session, 2, "first + 1"],
        [session + 1, 1, 'const second = "two";'],
      ]);
      expect(await history(second, { hist_access_type: "range", session: -1, start: 1, stop: 3 })).toEqual([
        [session, 1, "const first = 1;"],
        [session, 2, "first + 1"],
      ]);
      expect(await history(second, { hist_access_type: "range", session, start: 2, stop: 3 })).toEqual([[session, 2, "first + 1"]]);
      expect(await history(second, { hist_access_type: "range", session: 0, start: 1, stop: 100 })).toEqual([[session + 1, 1, 'const second = "two";']]);
      expect(await history(second, { hist_access_type: "search", pattern: "const *" })).toEqual([
        [session, 1, "const first = 1;"],
        [session + 1, 1, 'const second = "two";'],
      ]);
      const withOutput = await history(second, { hist_access_type: "tail", n: 1, output: true });
      expect(withOutput).toEqual([[session + 1, 1, ['const second = "two";', null]]]);
    } finally {
      await shutdown(second);
    }
    const file = readFileSync(join(dataDir, "ephemeron", "history.jsonl"), "utf8");
    expect(file).toContain('"input":"first + 1"');
  });

  it("search with unique keeps the newest of repeated inputs, and n the last n matches", async () => {
    const k = await startKernel({ env: env() });
    try {
      for (const code of ["let u = 1;", "u + 1", "let u = 1;", "u + 2"]) await k.client.execute(code);
      const unique = await history(k, { hist_access_type: "search", pattern: "let u*", unique: true });
      expect(unique.map((row) => row.slice(1))).toEqual([[3, "let u = 1;"]]);
      const lastTwo = await history(k, { hist_access_type: "search", pattern: "u + ?", n: 1 });
      expect(lastTwo.map((row) => row.slice(1))).toEqual([[4, "u + 2"]]);
    } finally {
      await shutdown(k);
    }
  });

  it("tail and search with n 0 give no entries, as IPython's history does, not the whole history", async () => {
    const k = await startKernel({ env: env() });
    try {
      for (const code of ["const z0 = 0;", "z0 + 1"]) await k.client.execute(code);
      expect(await history(k, { hist_access_type: "tail", n: 0 })).toEqual([]);
      expect(await history(k, { hist_access_type: "search", pattern: "z0*", n: 0 })).toEqual([]);
      expect((await history(k, { hist_access_type: "tail", n: 1 })).map((row) => row.slice(1))).toEqual([[2, "z0 + 1"]]);
    } finally {
      await shutdown(k);
    }
  });

  it("search patterns take character classes ([abc], [a-z], [^abc]) as IPython's SQLite GLOB does", async () => {
    const k = await startKernel({ env: env() });
    try {
      for (const code of ["const g1 = 1;", "const gx = 2;", "const g] = 3;"]) await k.client.execute(code);
      const rows = async (pattern: string) => (await history(k, { hist_access_type: "search", pattern })).map((row) => row[2]);
      expect(await rows("const g[0-9] = *")).toEqual(["const g1 = 1;"]);
      expect(await rows("const g[^0-9] = *")).toEqual(["const gx = 2;", "const g] = 3;"]);
      expect(await rows("const g[xyz] = *")).toEqual(["const gx = 2;"]);
      // A bracket that closes no class is itself.
      expect(await rows("const g] = *")).toEqual(["const g] = 3;"]);
    } finally {
      await shutdown(k);
    }
  });

  it("a kernel's history finds what a kernel started after it stored, as IPython's shared history database does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-history-two-"));
    const first = await startKernel({ env: { JUPYTER_DATA_DIR: dir } });
    try {
      await first.client.execute("const fromFirst = 1;");
      const second = await startKernel({ env: { JUPYTER_DATA_DIR: dir } });
      try {
        await second.client.execute("const fromSecond = 2;");
        const rows = await history(first, { hist_access_type: "search", pattern: "const from*" });
        const session = rows.find((row) => row[2] === "const fromFirst = 1;")?.[0];
        expect(session).toBeGreaterThan(0);
        expect(rows).toEqual([
          [session, 1, "const fromFirst = 1;"],
          [session! + 1, 1, "const fromSecond = 2;"],
        ]);
        expect(await history(first, { hist_access_type: "range", session: 0, start: 1, stop: 10 })).toEqual([[session, 1, "const fromFirst = 1;"]]);
      } finally {
        await shutdown(second);
      }
    } finally {
      await shutdown(first);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a history file past its size bound because of a few huge inputs is cut below the bound, keeping the newest inputs that fit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-history-huge-"));
    try {
      mkdirSync(join(dir, "ephemeron"));
      const path = join(dir, "ephemeron", "history.jsonl");
      const lines = [1, 2, 3].map((line) => JSON.stringify({ session: 1, line, input: `const big${line} = "${"x".repeat(1_500_000)}";` }));
      for (let line = 1; line <= 20; line++) lines.push(JSON.stringify({ session: 2, line, input: `const small${line} = ${line};` }));
      writeFileSync(path, lines.join("\n") + "\n");
      expect(statSync(path).size).toBeGreaterThan(4_000_000);
      const k = await startKernel({ env: { JUPYTER_DATA_DIR: dir } });
      try {
        await k.client.execute("1 + 1");
        const rows = await history(k, { hist_access_type: "tail", n: 21 });
        expect(statSync(path).size).toBeLessThan(2 * 1024 * 1024);
        expect(rows.map((row) => row[2])).toEqual([...Array.from({ length: 20 }, (_, i) => `const small${i + 1} = ${i + 1};`), "1 + 1"]);
        expect(rows[20]!.slice(0, 2)).toEqual([3, 1]);
      } finally {
        await shutdown(k);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a history file past its size bound is cut down to its newest entries when a kernel first reads it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-history-big-"));
    try {
      mkdirSync(join(dir, "ephemeron"));
      const path = join(dir, "ephemeron", "history.jsonl");
      const padding = "x".repeat(500);
      const lines: string[] = [];
      for (let i = 1; i <= 10_000; i++) lines.push(JSON.stringify({ session: 1 + Math.floor(i / 1000), line: i, input: `// ${i} ${padding}` }));
      writeFileSync(path, lines.join("\n") + "\n");
      const before = statSync(path).size;
      expect(before).toBeGreaterThan(4_000_000);
      const k = await startKernel({ env: { JUPYTER_DATA_DIR: dir } });
      try {
        const [newest] = await history(k, { hist_access_type: "tail", n: 1 });
        expect(newest![2]).toMatch(/^\/\/ 10000 /);
        expect(statSync(path).size).toBeLessThan(before / 1.5);
        await k.client.execute("1 + 1");
        const [mine] = await history(k, { hist_access_type: "tail", n: 1 });
        expect(mine!.slice(0, 2)).toEqual([12, 1]);
      } finally {
        await shutdown(k);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a history file over its bound because of one huge input is cut below the bound, so later kernels do not read it whole again", async () => {
    // A cell that pasted 3 MB of data: kept among the newest 5,000 entries, the file stayed over its
    // bound, and every kernel started afterwards read it, rewrote it and kept it in memory.
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-history-huge-"));
    try {
      mkdirSync(join(dir, "ephemeron"));
      const path = join(dir, "ephemeron", "history.jsonl");
      const lines = [JSON.stringify({ session: 1, start: "2026-01-01T00:00:00.000Z" })];
      for (let i = 1; i <= 20; i++) lines.push(JSON.stringify({ session: 1, line: i, input: `small ${i}` }));
      lines.push(JSON.stringify({ session: 1, line: 21, input: `const data = "${"d".repeat(3_000_000)}";` }));
      lines.push(JSON.stringify({ session: 1, line: 22, input: "data.length" }));
      writeFileSync(path, lines.join("\n") + "\n");
      const k = await startKernel({ env: { JUPYTER_DATA_DIR: dir } });
      try {
        const rows = await history(k, { hist_access_type: "tail", n: 3 });
        expect(rows.map((row) => row[2])).toEqual(["small 19", "small 20", "data.length"]);
        expect(statSync(path).size).toBeLessThan(2 * 1024 * 1024);
      } finally {
        await shutdown(k);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
