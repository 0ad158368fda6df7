// Lifecycle: a killed kernel leaves no runtime behind, a kernel whose launcher
// died exits, the kernel listens only on the connection file's ip, never logs
// its key, and refuses a connection file it cannot use with one line of error.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient } from "../../kernel/client.js";
import { newConnectionInfo, resolvedKernelSpec } from "../../kernel/kernelspec.js";
import { Session } from "../../kernel/wire.js";
import { resultText, startKernel } from "../helpers/kernel.js";
import { FigureBook } from "./figures.js";
import { eventually, runtimePid } from "./probes.js";

const book = new FigureBook("lifecycle");
afterAll(() => book.save());

/** Running: exists and is not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Direct children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    } catch {
      // thread ended
    }
  }
  return children;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

describe("lifecycle", () => {
  it.each(["SIGTERM", "SIGKILL"] as const)("leaves no runtime process behind when the kernel is killed with %s", async (signal) => {
    const check = book.check(`a kernel killed with ${signal} leaves no runtime behind`, `one kernel, killed with ${signal} after running a cell`);
    const k = await startKernel();
    try {
      const runtime = await runtimePid(k);
      const checker = childrenOf(k.kernel.process.pid!).find((pid) => commandOf(pid).includes("--api"));
      expect(running(runtime)).toBe(true);
      k.kernel.process.kill(signal);
      const exit = await k.kernel.exited;
      if (signal === "SIGTERM") expect(exit.code).toBe(0);
      expect(await eventually(() => !running(runtime))).toBe(true);
      const checkerGone = checker === undefined ? true : await eventually(() => !running(checker), 5000);
      Object.assign(check.figures, {
        "kernel exit": exit.signal ?? `code ${exit.code}`,
        "runtime left running": false,
        "type checker (tsgo) left running": checker === undefined ? "not started" : !checkerGone,
      });
      if (checker !== undefined && !checkerGone) process.kill(checker, "SIGKILL");
      check.held = true;
    } finally {
      await k.close();
    }
  });

  it("exits when the process that launched it dies, and takes its runtime with it", async () => {
    const check = book.check(
      "a kernel whose launching process died exits, leaving no runtime",
      "a launcher process (JPY_PARENT_PID = itself) starts the kernel and is killed with SIGKILL",
    );
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-parent-"));
    const connection = await newConnectionInfo();
    const file = join(dir, "kernel.json");
    writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
    const [node, ...args] = resolvedKernelSpec().argv.map((arg) => arg.replace("{connection_file}", file));
    const launcherScript = `
      const { spawn } = require("node:child_process");
      const fs = require("node:fs");
      const log = fs.openSync(${JSON.stringify(join(dir, "kernel.log"))}, "a");
      const kernel = spawn(${JSON.stringify(node)}, ${JSON.stringify(args)}, {
        env: { ...process.env, JPY_PARENT_PID: String(process.pid) },
        stdio: ["ignore", log, log],
      });
      process.stdout.write(kernel.pid + "\\n");
      setInterval(() => {}, 1000);
    `;
    const launcher = spawn(process.execPath, ["-e", launcherScript], { stdio: ["ignore", "pipe", "inherit"] });
    const kernelPid = await new Promise<number>((resolve) => launcher.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    const client = KernelClient.connect(connection);
    try {
      await client.waitForReady();
      const runtime = Number(resultText((await client.execute("process.pid")).iopub));
      expect(running(kernelPid)).toBe(true);
      expect(running(runtime)).toBe(true);
      launcher.kill("SIGKILL");
      expect(await eventually(() => !running(kernelPid), 30_000)).toBe(true);
      expect(await eventually(() => !running(runtime))).toBe(true);
      const log = readFileSync(join(dir, "kernel.log"), "utf8");
      expect(log).toMatch(/parent process \d+ is gone/);
      Object.assign(check.figures, { "kernel exited": true, "runtime left running": false, "kernel said": log.match(/parent process \d+ is gone[^\n]*/)![0] });
      check.held = true;
    } finally {
      client.close();
      if (running(kernelPid)) process.kill(kernelPid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits when its launcher is killed but left unreaped (a zombie), as ipykernel does", async () => {
    // `jupyter console` killed with SIGKILL under a parent that has not waited for it yet: the
    // launcher's pid still exists, as a zombie, so asking whether it exists says yes. The kernel was
    // reparented the moment its launcher died; ipykernel's parent poller watches for that.
    const check = book.check(
      "a kernel whose launcher died unreaped (a zombie) exits, leaving no runtime",
      "a launcher under a parent that never waits for it (sh, then exec sleep) starts the kernel and is killed with SIGKILL",
    );
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-zombie-"));
    const connection = await newConnectionInfo();
    const file = join(dir, "kernel.json");
    writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
    const [node, ...args] = resolvedKernelSpec().argv.map((arg) => arg.replace("{connection_file}", file));
    const launcherFile = join(dir, "launcher.cjs");
    writeFileSync(
      launcherFile,
      `
      const { spawn } = require("node:child_process");
      const fs = require("node:fs");
      const log = fs.openSync(${JSON.stringify(join(dir, "kernel.log"))}, "a");
      const kernel = spawn(${JSON.stringify(node)}, ${JSON.stringify(args)}, {
        env: { ...process.env, JPY_PARENT_PID: String(process.pid) },
        stdio: ["ignore", log, log],
      });
      process.stdout.write(process.pid + " " + kernel.pid + "\\n");
      setInterval(() => {}, 1000);
    `,
    );
    // sleep never waits for the launcher sh started in the background: once killed, it stays a zombie.
    const reaper = spawn("/bin/sh", ["-c", `"${process.execPath}" "${launcherFile}" & exec sleep 600`], { stdio: ["ignore", "pipe", "inherit"] });
    const [launcherPid, kernelPid] = await new Promise<number[]>((resolve) =>
      reaper.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim().split(" ").map(Number))),
    );
    const client = KernelClient.connect(connection);
    try {
      await client.waitForReady();
      const runtime = Number(resultText((await client.execute("process.pid")).iopub));
      expect(running(runtime)).toBe(true);
      process.kill(launcherPid!, "SIGKILL");
      expect(await eventually(() => !running(launcherPid!))).toBe(true);
      // The launcher is a zombie now: it still has a pid.
      expect(existsSync(`/proc/${launcherPid}`)).toBe(true);
      expect(await eventually(() => !running(kernelPid!), 30_000)).toBe(true);
      expect(await eventually(() => !running(runtime))).toBe(true);
      const log = readFileSync(join(dir, "kernel.log"), "utf8");
      expect(log).toMatch(/parent process \d+ is gone/);
      Object.assign(check.figures, { "launcher a zombie": true, "kernel exited": true, "runtime left running": false });
      check.held = true;
    } finally {
      client.close();
      reaper.kill("SIGKILL");
      if (running(kernelPid!)) process.kill(kernelPid!, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("listens only on the connection file's ip", async () => {
    const check = book.check(
      "the kernel listens only on the connection file's ip",
      "a kernel given ip 127.0.0.2; its five ports looked up in /proc/net/tcp and /proc/net/tcp6",
    );
    const connection = await newConnectionInfo("127.0.0.2");
    const k = await startKernel({ connection });
    try {
      const ports = [connection.shell_port, connection.control_port, connection.stdin_port, connection.iopub_port, connection.hb_port];
      // The kernel's own sockets, by inode: another process may listen on the same port numbers on another address.
      const kernelPid = k.kernel.process.pid!;
      const inodes = new Set<string>();
      for (const fd of readdirSync(`/proc/${kernelPid}/fd`)) {
        try {
          const target = readlinkSync(`/proc/${kernelPid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode) inodes.add(inode);
        } catch {
          // closed meanwhile
        }
      }
      const listening: { address: string; port: number }[] = [];
      for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        let text = "";
        try {
          text = readFileSync(table, "utf8");
        } catch {
          continue;
        }
        for (const line of text.trim().split("\n").slice(1)) {
          const fields = line.trim().split(/\s+/);
          const [, local, , state] = fields;
          if (state !== "0A" || !inodes.has(fields[9]!)) continue; // the kernel's, listening
          const [address, port] = local!.split(":");
          if (ports.includes(parseInt(port!, 16))) listening.push({ address: address!, port: parseInt(port!, 16) });
        }
      }
      // 127.0.0.2 in /proc/net/tcp's little-endian hex.
      expect(listening.map((l) => l.address)).toEqual(Array(5).fill("0200007F"));
      expect(new Set(listening.map((l) => l.port)).size).toBe(5);
      Object.assign(check.figures, { "listening sockets on the kernel's ports": listening.length, "all on": "127.0.0.2", "on 0.0.0.0 or IPv6": 0 });
      check.held = true;
    } finally {
      await k.close();
    }
  });

  it("never writes its key to the log, even at debug level", async () => {
    const check = book.check(
      "the key never appears on stderr, even with EPHEMERON_LOG=debug",
      "a kernel at debug level: cells, an error, a runtime death, forged messages, a shutdown",
    );
    const k = await startKernel({ env: { EPHEMERON_LOG: "debug" } });
    try {
      await k.client.execute("1 + 1");
      await k.client.execute("throw new Error('boom')");
      await k.client.execute("process.exit(2)");
      await k.client.execute("console.error('to stderr')");
      const forger = new Session("not-the-key", "hmac-sha256");
      await k.client.sendRaw("shell", forger.serialize({ identities: [], header: forger.makeHeader("execute_request"), parent_header: {}, metadata: {}, content: { code: "1" }, buffers: [] }));
      await k.client.request("control", "shutdown_request", { restart: false });
      await k.kernel.exited;
      const stderr = k.kernel.stderr();
      expect(stderr).toMatch(/DEBUG|INFO/);
      expect(stderr).not.toContain(k.kernel.connection.key);
      Object.assign(check.figures, { "stderr lines": stderr.trim().split("\n").length, "lines containing the key": 0 });
      check.held = true;
    } finally {
      await k.close();
    }
  });

  it("refuses a connection file it cannot use with a one-line error and a non-zero exit", () => {
    const check = book.check(
      "an unusable connection file is refused with one line on stderr and a non-zero exit",
      "four kernel starts: a file that is not JSON, a missing file, JSON without ports, an unknown transport",
    );
    const dir = mkdtempSync(join(tmpdir(), "ephemeron-badfile-"));
    try {
      const files: Record<string, string | undefined> = {
        "not JSON": "{ this is not json",
        "missing file": undefined,
        "no ports": JSON.stringify({ ip: "127.0.0.1", key: "k", transport: "tcp" }),
        "unknown transport": JSON.stringify({ transport: "udp", ip: "127.0.0.1", key: "k", shell_port: 1, control_port: 2, stdin_port: 3, iopub_port: 4, hb_port: 5 }),
      };
      for (const [name, content] of Object.entries(files)) {
        const file = join(dir, `${name.replace(/ /g, "-")}.json`);
        if (content !== undefined) writeFileSync(file, content);
        const [node, ...args] = resolvedKernelSpec().argv.map((arg) => arg.replace("{connection_file}", file));
        const result = spawnSync(node!, args, { encoding: "utf8", timeout: 30_000 });
        const lines = result.stderr.trimEnd().split("\n");
        expect(result.status, name).not.toBe(0);
        expect(result.status, name).not.toBeNull();
        expect(lines, `${name}: ${result.stderr}`).toHaveLength(1);
        expect(lines[0]).toMatch(/^ephemeron: /);
        check.figures[name] = `exit ${result.status}: ${lines[0]!.replaceAll(dir, "…")}`;
      }
      check.held = true;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
