// `ephemeron kernel -f CONNECTION_FILE`: what the kernelspec runs. Its command
// line answers --help, and says what is wrong with bad arguments in one line.

import { describe, expect, it } from "vitest";
import { ephemeron, lines } from "./ephemeron.js";

describe("ephemeron kernel's command line", () => {
  it("prints its options for --help and exits 0, as 'ephemeron --help' tells the user to ask", async () => {
    const top = await ephemeron(["--help"]);
    expect(top.stdout).toContain("Run 'ephemeron <command> --help'");
    const result = await ephemeron(["kernel", "--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/usage: ephemeron kernel -f CONNECTION_FILE/);
    for (const option of ["--no-typecheck", "--runtime-flag"]) expect(result.stdout).toContain(option);
    expect(result.stderr).toBe("");
  });

  it("answers no command at all with its usage on stderr and exit 2, as a mistake, and --help with it on stdout and exit 0", async () => {
    const bare = await ephemeron([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toContain("usage: ephemeron <command>");
    const help = await ephemeron(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: ephemeron <command>");
    expect(help.stderr).toBe("");
  });

  it("rejects an unknown argument, a missing connection file and -f without a value with exit 2 and one line, no stack trace", async () => {
    for (const [args, says] of [
      [["kernel", "--bogus", "-f", "x.json"], "--bogus"],
      [["kernel"], "-f CONNECTION_FILE"],
      [["kernel", "-f"], "-f needs a value"],
    ] as const) {
      const result = await ephemeron([...args]);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(lines(result.stderr), args.join(" ")).toHaveLength(1);
      expect(result.stderr).toContain(says);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout).toBe("");
    }
  });
});
