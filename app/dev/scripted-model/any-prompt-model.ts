// The demo's model when no script is queued: it answers any prompt the way a
// careful agent would on a small repository, deciding each step from the
// conversation so far (the model server is stateless, like a real provider):
//   1. look around (list files, read package.json);
//   2. make one small, plausible change: the file the prompt names, or a
//      short note under docs/ that records the request;
//   3. run the repository's tests;
//   4. answer with what it did and how the tests went.
// A new user message (a steer, or a resumed session) starts the cycle again.
import { type ChatRequestBody, contentText, type ScriptStep } from "./scripted-model-server.ts"
import { callTools, say, toolCall } from "./model-scripts.ts"

interface Message {
  readonly role: string
  readonly content?: unknown
}

/** The request in one line (a prompt may span several). */
const promptOf = (text: string): string =>
  text.replace(/\s+/g, " ").trim().slice(0, 200) || "the requested change"

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/** A repository-relative path the prompt names, if any (never absolute, never upward). */
const namedFile = (prompt: string): string | null => {
  const match =
    /(?:^|[\s`"'(])((?:[\w-]+\/)*[\w.-]+\.(?:md|txt|markdown|rst))(?=$|[\s`"'),.:;])/i.exec(prompt)
  const path = match?.[1] ?? null
  return path === null || path.startsWith(".") || path.includes("..") ? null : path
}

const slug = (prompt: string) =>
  prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .slice(0, 6)
    .join("-") || "change"

const titleOf = (path: string) => {
  const name = (path.split("/").at(-1) ?? path).replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ")
  return name === name.toUpperCase()
    ? name.charAt(0) + name.slice(1).toLowerCase()
    : name.charAt(0).toUpperCase() + name.slice(1)
}

/** `npm test`'s command from the package.json the agent read, if it has one. */
const testScript = (looked: string): string | null =>
  /"test"\s*:\s*"([^"]+)"/.exec(looked)?.[1] ?? null

const document = (path: string, prompt: string, test: string | null) =>
  [
    `# ${titleOf(path)}`,
    "",
    `${prompt.charAt(0).toUpperCase()}${prompt.slice(1)}${/[.!?]$/.test(prompt) ? "" : "."}`,
    "",
    "## Running the tests",
    "",
    test === null
      ? "This repository has no test script yet."
      : `\`npm test\` runs the test suite (\`${test}\`); keep it green before opening a pull request.`,
    "",
  ].join("\n")

export const answerAnyPrompt = (body: ChatRequestBody): ScriptStep => {
  const messages = (body.messages ?? []) as ReadonlyArray<Message>
  const lastUser = messages.findLastIndex((message) => message.role === "user")
  const prompt = promptOf(contentText(messages[lastUser]?.content))
  const since = messages.slice(lastUser + 1)
  const turns = since.filter((message) => message.role === "assistant").length
  const results = since
    .filter((message) => message.role === "tool")
    .map((m) => contentText(m.content))
  const looked = results[0] ?? ""
  const existing = namedFile(prompt)
  const path = existing ?? `docs/${slug(prompt)}.md`
  const alreadyThere = existing !== null && new RegExp(`(^|\\s)${existing}(\\s|$)`).test(looked)
  switch (turns) {
    case 0:
      return callTools(
        toolCall("bash", { command: "ls && cat package.json 2>/dev/null" }, "call_look"),
      )
    case 1:
      return alreadyThere
        ? callTools(
            toolCall(
              "bash",
              {
                command: `printf '%s\\n' '' ${quote(`## ${prompt}`)} '' ${quote("Requested through PatchPlane.")} >> ${quote(path)}`,
              },
              "call_change",
            ),
          )
        : callTools(
            toolCall(
              "write",
              { path, content: document(path, prompt, testScript(looked)) },
              "call_change",
            ),
          )
    case 2:
      return callTools(
        toolCall(
          "bash",
          {
            command: testScript(looked) === null ? "ls" : "npm test 2>&1 | tail -8",
          },
          "call_test",
        ),
      )
    default: {
      const tests = results[2] ?? ""
      const outcome =
        testScript(looked) === null
          ? "There is no test script to run."
          : /\bfail\s+[1-9]|not ok|ERR!/i.test(tests)
            ? "The tests fail; see the output above."
            : "The tests pass."
      return say(`${alreadyThere ? "Updated" : "Added"} ${path} for: ${prompt}. ${outcome}`)
    }
  }
}
