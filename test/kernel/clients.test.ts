// Clients as jupyter_client makes them: every client of one KernelManager connects its shell and
// stdin with the same identity (its session id). The newest connection takes over, as ipykernel's
// routers hand over (ROUTER_HANDOVER); without that the kernel's router dropped the newcomer.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "../helpers/kernel.js";
import { KernelClient } from "../../kernel/client.js";

describe("clients that share an identity", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await startKernel();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("a second client with the first one's identity gets its replies, and so does a third after it", async () => {
    await k.client.execute("const shared = 41;");
    for (let i = 0; i < 2; i++) {
      const again = KernelClient.connect(k.kernel.connection, k.client.identity);
      try {
        await again.waitForReady(10_000);
        const { reply, iopub } = await again.execute("shared + 1");
        expect(reply.content.status).toBe("ok");
        expect(resultText(iopub)).toBe("42");
      } finally {
        again.close();
      }
    }
  });
});
