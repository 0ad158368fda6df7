import { defineConfig } from "vitest/config";

// Tests start real kernels, runtimes and Jupyter clients: generous timeouts,
// and at most two files at once on this 2-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
