// The suite's settings. Most test files wait on PostgreSQL, child processes,
// sandboxes and a browser rather than on the CPU, so at least two run at once
// even on a 2-core machine (Vitest's default there is one). Eventual states
// polled with expect.poll get 5 s, not 1 s: a busy machine renders and stores
// later, and what the tests assert is that the state is reached.
import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    maxWorkers: Math.max(2, availableParallelism() - 1),
    expect: { poll: { timeout: 5_000 } },
  },
})
