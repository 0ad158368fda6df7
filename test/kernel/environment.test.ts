// The environment a notebook's code sees: the user's, as the client launched the
// kernel. The kernelspec starts the kernel process itself without
// NODE_EXTRA_CA_CERTS (Node 20 parses those certificates before any JavaScript
// runs, and the kernel makes no TLS connection); the runtime, which runs the
// cells, gets it back.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";

const CERTS = "/etc/ssl/certs/ca-certificates.crt";

function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter((entry) => entry !== "");
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
}

describe("NODE_EXTRA_CA_CERTS set where the client runs", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel({ env: { NODE_EXTRA_CA_CERTS: CERTS } });
  });
  afterAll(async () => {
    await k?.close();
  });

  it("cells see it as the user set it, and nothing of how it was handed over", async () => {
    const { iopub } = await k.client.execute('[process.env.NODE_EXTRA_CA_CERTS, Object.keys(process.env).filter((name) => name.startsWith("EPHEMERON_"))]');
    expect(resultText(iopub)).toBe(`[ '${CERTS}', [] ]`);
  });

  it("the kernel process, the one the client launched, runs without it", () => {
    const environ = environOf(k.kernel.process.pid!);
    expect(readFileSync(`/proc/${k.kernel.process.pid}/cmdline`, "utf8")).toContain("kernel");
    expect(environ.get("NODE_EXTRA_CA_CERTS") ?? "").toBe("");
  });
});

describe("NODE_EXTRA_CA_CERTS not set", () => {
  it("cells do not have it either (not even empty)", async () => {
    const k = await startKernel({ env: { NODE_EXTRA_CA_CERTS: undefined } });
    try {
      const { iopub } = await k.client.execute('"NODE_EXTRA_CA_CERTS" in process.env');
      expect(resultText(iopub)).toBe("false");
    } finally {
      await k.close();
    }
  });
});
