// `ephemeron install`: writes a kernelspec Jupyter can launch from anywhere.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ephemeron, lines, type CliResult } from "./ephemeron.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), "PNG signature").toBe(true);
  expect(png.subarray(12, 16).toString("latin1"), "first chunk").toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("ephemeron install --prefix P --name x --display-name X", () => {
  let prefix: string;
  let result: CliResult;
  let kernelDir: string;
  let spec: { argv: string[]; display_name: string; language: string; interrupt_mode?: string };

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), "ephemeron-install-"));
    result = await ephemeron(["install", "--prefix", prefix, "--name", "x", "--display-name", "X"], { cwd: tmpdir() });
    kernelDir = join(prefix, "share", "jupyter", "kernels", "x");
    spec = JSON.parse(readFileSync(join(kernelDir, "kernel.json"), "utf8")) as typeof spec;
  });
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  it("exits 0 and says where the kernelspec went", () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(kernelDir);
  });

  it("writes kernel.json whose argv runs this node (through /bin/sh, without NODE_EXTRA_CA_CERTS), with the kernel's V8 flags, and this package's CLI by absolute path", () => {
    const [shell, dashC, script, name, node, flag, cli, ...rest] = spec.argv;
    expect([shell, dashC, name]).toEqual(["/bin/sh", "-c", "ephemeron"]);
    expect(script).toContain('NODE_EXTRA_CA_CERTS= exec "$@"');
    expect(isAbsolute(node!)).toBe(true);
    expect(existsSync(node!)).toBe(true);
    expect(flag).toBe("--max-semi-space-size=1");
    expect(cli).toBe(CLI);
    expect(rest).toEqual(["kernel", "-f", "{connection_file}"]);
  });

  it("names the kernel X for frontends, as TypeScript, interrupted by message", () => {
    expect(spec.display_name).toBe("X");
    expect(spec.language).toBe("typescript");
    expect(spec.interrupt_mode).toBe("message");
  });

  it("writes a 32×32 and a 64×64 PNG logo", () => {
    expect(pngSize(readFileSync(join(kernelDir, "logo-32x32.png")))).toEqual({ width: 32, height: 32 });
    expect(pngSize(readFileSync(join(kernelDir, "logo-64x64.png")))).toEqual({ width: 64, height: 64 });
  });
});

describe("ephemeron install over a kernelspec of the same name", () => {
  it("replaces the folder, as jupyter kernelspec install does: no file of the old kernel stays (its kernel.js, its SVG logo)", async () => {
    const prefix = mkdtempSync(join(tmpdir(), "ephemeron-install-"));
    try {
      const kernelDir = join(prefix, "share", "jupyter", "kernels", "ts");
      mkdirSync(kernelDir, { recursive: true });
      writeFileSync(join(kernelDir, "kernel.json"), JSON.stringify({ argv: ["other-kernel", "{connection_file}"], display_name: "Other", language: "typescript" }));
      writeFileSync(join(kernelDir, "kernel.js"), "define([], () => ({ onload() {} }));");
      writeFileSync(join(kernelDir, "logo-svg.svg"), "<svg/>");
      const result = await ephemeron(["install", "--prefix", prefix, "--name", "ts"], { cwd: tmpdir() });
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(kernelDir).sort()).toEqual(["kernel.json", "logo-32x32.png", "logo-64x64.png"]);
      expect(JSON.parse(readFileSync(join(kernelDir, "kernel.json"), "utf8")).display_name).toBe("TypeScript (ephemeron)");
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});

describe("ephemeron install's command line", () => {
  it("prints its options for --help and exits 0", async () => {
    const result = await ephemeron(["install", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/usage: ephemeron install/);
    for (const option of ["--user", "--sys-prefix", "--prefix", "--name", "--display-name"]) expect(result.stdout).toContain(option);
  });

  it("rejects an unknown option with exit 2 and a one-line error naming it", async () => {
    const result = await ephemeron(["install", "--bogus"]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("--bogus");
    expect(result.stdout).toBe("");
  });

  it("rejects a kernel name with a slash, writing nothing", async () => {
    const prefix = mkdtempSync(join(tmpdir(), "ephemeron-install-"));
    try {
      const result = await ephemeron(["install", "--prefix", prefix, "--name", "../evil"]);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(existsSync(join(prefix, "share"))).toBe(false);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});

describe("ephemeron install's checks of its arguments", () => {
  let prefix: string;
  beforeAll(() => {
    prefix = mkdtempSync(join(tmpdir(), "ephemeron-install-checks-"));
  });
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  it("refuses a name of only dots, which would write into the kernels folder itself", async () => {
    const result = await ephemeron(["install", "--prefix", prefix, "--name", ".."]);
    expect(result.code).toBe(2);
    expect(existsSync(join(prefix, "share", "jupyter", "kernel.json"))).toBe(false);
  });

  it("lowercases the name, as Jupyter lists kernelspecs", async () => {
    const result = await ephemeron(["install", "--prefix", prefix, "--name", "TS"]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(prefix, "share", "jupyter", "kernels", "ts", "kernel.json"))).toBe(true);
  });

  it("refuses two places at once and an empty display name", async () => {
    expect((await ephemeron(["install", "--user", "--prefix", prefix])).code).toBe(2);
    expect((await ephemeron(["install", "--prefix", prefix, "--display-name", " "])).code).toBe(2);
  });

  it("refuses a value given to a switch and an empty --prefix, writing nothing", async () => {
    for (const args of [["--no-typecheck=false"], ["--user=1"], ["--prefix="], ["--sys-prefix=yes"]]) {
      const result = await ephemeron(["install", ...args], { env: { ...process.env, JUPYTER_DATA_DIR: join(prefix, "user-data") } });
      expect(result.code, args.join(" ")).toBe(2);
    }
    expect(existsSync(join(prefix, "user-data"))).toBe(false);
  });

  it("--sys-prefix installs into the prefix of the Python that runs the jupyter command, not of another python3 first on PATH", async () => {
    // Two Pythons as tools see them: `jupyter` runs one, `python3` on PATH is another.
    const bin = join(prefix, "bin");
    mkdirSync(bin, { recursive: true });
    const jupytersPython = join(bin, "jupyters-python");
    writeFileSync(jupytersPython, `#!/bin/sh\necho ${join(prefix, "jupyter-env")}\n`, { mode: 0o755 });
    writeFileSync(join(bin, "python3"), `#!/bin/sh\necho ${join(prefix, "other-env")}\n`, { mode: 0o755 });
    writeFileSync(join(bin, "jupyter"), `#!${jupytersPython}\n`, { mode: 0o755 });
    const result = await ephemeron(["install", "--sys-prefix", "--name", "sysp"], { env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(prefix, "jupyter-env", "share", "jupyter", "kernels", "sysp", "kernel.json"))).toBe(true);
    expect(existsSync(join(prefix, "other-env"))).toBe(false);
  });

  it("--user installs into $XDG_DATA_HOME/jupyter, and into ~/.local/share/jupyter when XDG_DATA_HOME is set but empty, as jupyter_core looks", async () => {
    const home = join(prefix, "home");
    const cwd = join(prefix, "cwd");
    mkdirSync(cwd, { recursive: true });
    const { JUPYTER_DATA_DIR: _dataDir, ...env } = process.env;
    const xdg = await ephemeron(["install", "--user", "--name", "xdg"], { cwd, env: { ...env, HOME: home, XDG_DATA_HOME: join(prefix, "xdg") } });
    expect(xdg.code, xdg.stderr).toBe(0);
    expect(existsSync(join(prefix, "xdg", "jupyter", "kernels", "xdg", "kernel.json"))).toBe(true);
    const empty = await ephemeron(["install", "--user", "--name", "empty-xdg"], { cwd, env: { ...env, HOME: home, XDG_DATA_HOME: "" } });
    expect(empty.code, empty.stderr).toBe(0);
    expect(existsSync(join(home, ".local", "share", "jupyter", "kernels", "empty-xdg", "kernel.json"))).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("says in the kernelspec's metadata whether it type-checks, as its argv does", async () => {
    await ephemeron(["install", "--prefix", prefix, "--name", "unchecked", "--no-typecheck"]);
    const spec = JSON.parse(readFileSync(join(prefix, "share", "jupyter", "kernels", "unchecked", "kernel.json"), "utf8")) as { argv: string[]; metadata: { ephemeron: { typecheck: boolean } } };
    expect(spec.argv).toContain("--no-typecheck");
    expect(spec.metadata.ephemeron.typecheck).toBe(false);
  });
});
