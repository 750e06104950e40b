// Which of the shell commands an agent ran were test runs, for the PatchSet's
// `testsRun`. Reviewers read it to see whether the agent checked its work.
const testPatterns: ReadonlyArray<RegExp> = [
  /\b(npm|pnpm|yarn|bun)\s+(run\s+)?test\b/,
  /\b(npm|pnpm|yarn)\s+(run\s+)?(test:[\w:-]+|check)\b/,
  /\b(npx|pnpm\s+exec|yarn)\s+(vitest|jest|mocha|ava|playwright\s+test)\b/,
  // A runner as the command word (not an argument, as in `grep jest`).
  /(^|[;&|(]\s*)(\S*\/)?(vitest|jest|mocha|ava)(\s|$)/,
  /\bnode\s+--test\b/,
  /\bdeno\s+test\b/,
  /\bbun\s+test\b/,
  /(^|[;&|(]\s*)(\S*\/)?pytest(\s|$)/,
  /\bpython3?\s+-m\s+(pytest|unittest)\b/,
  /(^|[;&|(]\s*)tox(\s|$)/,
  /\bgo\s+test\b/,
  /\bcargo\s+(test|nextest)\b/,
  /\b(mvn|mvnw|gradle|gradlew)\b.*\b(test|verify|check)\b/,
  /\bmake\s+(test|check)\b/,
  /\b(rspec|phpunit|ctest)\b/,
  /\brake\s+(test|spec)\b/,
  /\bdotnet\s+test\b/,
  /\bmix\s+test\b/,
  /\bswift\s+test\b/,
]

export const isTestCommand = (command: string): boolean =>
  testPatterns.some((pattern) => pattern.test(command))

/** The test commands, in the order first run, without repeats. */
export const testsRun = (commands: ReadonlyArray<string>): Array<string> => [
  ...new Set(commands.map((command) => command.trim()).filter(isTestCommand)),
]
