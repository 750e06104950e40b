// Pure parts of the Pi adapter: line framing, RPC decoding, the event
// mapping to normalized RuntimeEvents, and how Pi is launched.
import { describe, expect, it } from "vitest"
import { decodeSyncWith, RuntimeEventPayload } from "@patchplane/domain"
import { LineSplitter } from "../../src/execution/line-splitter.ts"
import { signRunToken } from "../../src/runtime/gateway-token.ts"
import { capArgs, PiEventMapper } from "../../src/runtime/pi-events.ts"
import {
  launchPlan,
  type PiLaunchSettings,
  piArgs,
  piModelsJson,
  piSettingsJson,
} from "../../src/runtime/pi-launch.ts"
import { decodePiLine, encodePiCommand, type PiEvent } from "../../src/runtime/pi-rpc.ts"

const decodeEvent = decodeSyncWith(RuntimeEventPayload, "runtime event")

const usage = { input: 100, output: 20, cacheRead: 0, cacheWrite: 0, cost: { total: 0.5 } }
const assistant = (content: Array<unknown>, stopReason = "toolUse", extra = {}) => ({
  role: "assistant",
  content,
  usage,
  stopReason,
  ...extra,
})

/** A real Pi 0.73 stream (write tool, then an answer), reduced to the fields that matter. */
const piStream: Array<PiEvent> = [
  { type: "agent_start" },
  { type: "turn_start" },
  { type: "message_start", message: { role: "user", content: [{ type: "text", text: "Go" }] } },
  { type: "message_end", message: { role: "user", content: [{ type: "text", text: "Go" }] } },
  { type: "message_start", message: assistant([]) },
  {
    type: "message_end",
    message: assistant([{ type: "toolCall", id: "c1", name: "write", arguments: { path: "a" } }]),
  },
  {
    type: "tool_execution_start",
    toolCallId: "c1",
    toolName: "write",
    args: { path: "a", content: "x" },
  },
  { type: "tool_execution_update", toolCallId: "c1", toolName: "write", partialResult: {} },
  {
    type: "tool_execution_end",
    toolCallId: "c1",
    toolName: "write",
    result: { content: [{ type: "text", text: "Successfully wrote 1 bytes to a" }] },
    isError: false,
  },
  { type: "message_end", message: { role: "toolResult", toolCallId: "c1", content: [] } },
  { type: "turn_end", message: assistant([]), toolResults: [] },
  { type: "turn_start" },
  { type: "queue_update", steering: [], followUp: [] },
  { type: "message_end", message: assistant([{ type: "text", text: "Done." }], "stop") },
  { type: "turn_end", message: assistant([{ type: "text", text: "Done." }], "stop") },
  { type: "agent_end", messages: [] },
]

describe("line framing", () => {
  it("splits on \\n only: U+2028/U+2029 stay inside their line, \\r\\n is accepted", () => {
    const splitter = new LineSplitter(1024)
    const json = JSON.stringify({ type: "x", text: "a\u2028b\u2029c" })
    const bytes = Buffer.from(`${json}\r\n{"type":"y"}\n{"type":`)
    expect(splitter.push(bytes)).toEqual([json, '{"type":"y"}'])
    expect(splitter.push(Buffer.from('"z"}'))).toEqual([])
    expect(splitter.end()).toEqual(['{"type":"z"}'])
  })

  it("keeps a multi-byte character cut between chunks intact", () => {
    const splitter = new LineSplitter(1024)
    const bytes = Buffer.from("héllo ✓\n")
    const cut = bytes.indexOf(0x9c) // inside the ✓
    expect(splitter.push(bytes.subarray(0, cut))).toEqual([])
    expect(splitter.push(bytes.subarray(cut))).toEqual(["héllo ✓"])
  })

  it("drops (and counts) lines over the cap, and goes on with the next", () => {
    const splitter = new LineSplitter(8)
    expect(splitter.push(Buffer.from("0123456789abcdef\nok\n"))).toEqual(["ok"])
    expect(splitter.droppedLines).toBe(1)
  })
})

describe("Pi RPC lines", () => {
  it("decodes responses and events, skips streaming deltas without parsing them", () => {
    expect(
      decodePiLine('{"type":"response","id":"pp-1","command":"get_state","success":true}'),
    ).toEqual({
      kind: "response",
      response: { type: "response", id: "pp-1", command: "get_state", success: true },
    })
    expect(decodePiLine('{"type":"turn_start"}')).toEqual({
      kind: "event",
      event: { type: "turn_start" },
    })
    expect(decodePiLine('{"type":"message_update","message":{"broken')).toEqual({ kind: "skip" })
    expect(decodePiLine("not json").kind).toBe("invalid")
    expect(decodePiLine("[1,2]").kind).toBe("invalid")
  })

  it("encodes one command per line with its id", () => {
    expect(encodePiCommand({ type: "prompt", message: "a\nb" }, "pp-3")).toBe(
      '{"type":"prompt","message":"a\\nb","id":"pp-3"}\n',
    )
  })
})

describe("Pi events → RuntimeEvents", () => {
  it("maps a run to turns, messages and tool calls, all valid domain events", () => {
    const mapper = new PiEventMapper()
    const events = piStream.flatMap((event) => mapper.map(event))
    expect(events).toEqual([
      { kind: "turn.started", turn: 1 },
      { kind: "message", role: "user", text: "Go" },
      {
        kind: "tool.requested",
        toolCallId: "c1",
        tool: "write",
        args: { path: "a", content: "x" },
      },
      {
        kind: "tool.completed",
        toolCallId: "c1",
        tool: "write",
        ok: true,
        output: "Successfully wrote 1 bytes to a",
        truncated: false,
      },
      {
        kind: "turn.completed",
        turn: 1,
        usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.5 },
      },
      { kind: "turn.started", turn: 2 },
      { kind: "message", role: "assistant", text: "Done." },
      {
        kind: "turn.completed",
        turn: 2,
        usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.5 },
      },
    ])
    for (const event of events) expect(decodeEvent(event)).toEqual(event)
    expect(mapper.lastAssistant).toEqual({ stopReason: "stop", errorMessage: null, text: "Done." })
  })

  it("reports failed and aborted turns as turn.failed", () => {
    const mapper = new PiEventMapper()
    mapper.map({ type: "turn_start" })
    const failed = assistant([], "error", {
      errorMessage: "429 budget [patchplane_budget_exhausted]",
    })
    expect(mapper.map({ type: "message_end", message: failed })).toEqual([])
    expect(mapper.map({ type: "turn_end", message: failed })).toEqual([
      { kind: "turn.failed", turn: 1, error: "429 budget [patchplane_budget_exhausted]" },
    ])
    mapper.map({ type: "turn_start" })
    expect(mapper.map({ type: "turn_end", message: assistant([], "aborted") })).toEqual([
      { kind: "turn.failed", turn: 2, error: "aborted" },
    ])
  })

  it("caps tool output and long arguments, and says so", () => {
    const mapper = new PiEventMapper({ toolOutputChars: 10, toolArgChars: 5, messageChars: 100 })
    const [completed] = mapper.map({
      type: "tool_execution_end",
      toolCallId: "c",
      toolName: "bash",
      result: { content: [{ type: "text", text: "x".repeat(25) }] },
      isError: true,
    })
    expect(completed).toEqual({
      kind: "tool.completed",
      toolCallId: "c",
      tool: "bash",
      ok: false,
      output: `${"x".repeat(10)}\n…[15 more characters not kept]`,
      truncated: true,
    })
    expect(capArgs({ path: "f", content: "abcdefgh", edits: [{ oldText: "123456" }] }, 5)).toEqual({
      path: "f",
      content: "abcde\n…[3 more characters not kept]",
      edits: [{ oldText: "12345\n…[1 more characters not kept]" }],
    })
  })

  it("turns confirm dialogs into approval.required and Pi's housekeeping into system messages", () => {
    const mapper = new PiEventMapper()
    expect(
      mapper.map({
        type: "extension_ui_request",
        id: "ui-1",
        method: "confirm",
        title: "Run rm -rf?",
        message: "It deletes the build folder",
      }),
    ).toEqual([
      {
        kind: "approval.required",
        approvalId: "ui-1",
        reason: "Run rm -rf?: It deletes the build folder",
      },
    ])
    expect(mapper.map({ type: "extension_ui_request", id: "ui-2", method: "notify" })).toEqual([])
    expect(
      mapper.map({ type: "compaction_end", reason: "threshold", result: { tokensBefore: 150000 } }),
    ).toEqual([
      {
        kind: "message",
        role: "system",
        text: "Context compacted (threshold); 150000 tokens summarized.",
      },
    ])
    expect(mapper.map({ type: "auto_retry_end", success: false, finalError: "503" })).toEqual([
      { kind: "message", role: "system", text: "Model call retries gave up: 503" },
    ])
  })

  it("drops the rest of a run the adapter refused", () => {
    const mapper = new PiEventMapper()
    mapper.map({ type: "turn_start" })
    mapper.ignoreRestOfRun()
    expect(mapper.map({ type: "turn_end", message: assistant([], "aborted") })).toEqual([])
    mapper.startRun()
    expect(mapper.map({ type: "turn_start" })).toEqual([{ kind: "turn.started", turn: 2 }])
  })
})

describe("launching Pi", () => {
  const token = signRunToken(Buffer.from("s"), {
    runId: "r",
    sessionId: "s",
    expiresAt: new Date(Date.now() + 60_000),
    budget: { maxTokens: 1, maxCostUsd: 1 },
  })
  const settings: PiLaunchSettings = {
    sessionId: "5b0a7c9e-0000-4000-8000-000000000001",
    piCommand: ["node", "/opt/patchplane/node_modules/@mariozechner/pi-coding-agent/dist/cli.js"],
    cwd: "/workspace/repo",
    provider: "patchplane-gateway",
    model: {
      id: "m",
      contextWindow: 1000,
      maxTokens: 100,
      inputUsdPerMTok: 1,
      outputUsdPerMTok: 2,
    },
    gatewayBaseUrl: "http://127.0.0.1:47823/api/model-gateway/v1",
    token,
    relay: { port: 47823, socketPath: "/run/patchplane-gateway/model-gateway.sock" },
    readAgentsMd: false,
    instructions: "Be careful.",
  }

  it("runs Pi offline, in RPC mode, without the repo's instructions unless the policy allows AGENTS.md", () => {
    const args = piArgs(settings)
    for (const flag of [
      "--no-session",
      "--offline",
      "--no-extensions",
      "--no-skills",
      "--no-prompt-templates",
      "--no-themes",
      "--no-context-files",
    ])
      expect(args).toContain(flag)
    // .pi/SYSTEM.md and .pi/APPEND_SYSTEM.md are never read.
    expect(
      args.slice(args.indexOf("--system-prompt"), args.indexOf("--system-prompt") + 2),
    ).toEqual(["--system-prompt", ""])
    expect(args.at(-1)).toBe("Be careful.")
    expect(piArgs({ ...settings, readAgentsMd: true })).not.toContain("--no-context-files")
  })

  it("keeps Pi's config in a per-session directory with the run token, not a provider key", () => {
    const plan = launchPlan(settings)
    expect(plan.env).toEqual({
      HOME: "/tmp/patchplane-pi-5b0a7c9e-0000-4000-8000-000000000001/home",
      PI_CODING_AGENT_DIR: "/tmp/patchplane-pi-5b0a7c9e-0000-4000-8000-000000000001/agent",
      PI_OFFLINE: "1",
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    })
    expect(plan.files.map((file) => file.path)).toEqual([
      "/tmp/patchplane-pi-5b0a7c9e-0000-4000-8000-000000000001/agent/models.json",
      "/tmp/patchplane-pi-5b0a7c9e-0000-4000-8000-000000000001/agent/settings.json",
    ])
    expect(piModelsJson(settings).providers["patchplane-gateway"]).toMatchObject({
      baseUrl: "http://127.0.0.1:47823/api/model-gateway/v1",
      api: "openai-completions",
      apiKey: token,
      compat: { supportsDeveloperRole: false },
    })
    expect(piSettingsJson().retry).toEqual({ enabled: false, provider: { maxRetries: 0 } })
  })

  it("refuses a token Pi would read as a shell command or a variable name", () => {
    for (const bad of ["!cat /etc/passwd", "OPENAI_API_KEY", "sk-live-123"])
      expect(() => launchPlan({ ...settings, token: bad })).toThrow(/unexpected format/)
  })
})
