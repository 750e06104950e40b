// Daytona's process sessions inside one stand-in sandbox: each command runs
// in the sandbox's container, its stdout and stderr are kept in the wire
// format the daemon streams (every chunk behind a three-byte marker:
// 0x01×3 stdout, 0x02×3 stderr; the SDK's `stdDemuxStream` splits on them),
// followers get the backlog and then live chunks, and the log socket closes
// when the command exits.
import { randomUUID } from "node:crypto"
import type { ChildProcessWithoutNullStreams } from "node:child_process"
import { type Container, killGroup } from "./container.ts"
import type { WebSocketPeer } from "./websocket.ts"

const stdoutMarker = Buffer.from([1, 1, 1])
const stderrMarker = Buffer.from([2, 2, 2])

export class SessionCommand {
  readonly id = randomUUID()
  exitCode: number | undefined
  readonly stdout: Array<Buffer> = []
  readonly stderr: Array<Buffer> = []
  private readonly wire: Array<Buffer> = []
  private readonly followers = new Set<WebSocketPeer>()
  readonly done: Promise<void>
  /** Everything written to stdin, for tests. */
  readonly input: Array<string> = []

  readonly command: string
  readonly child: ChildProcessWithoutNullStreams

  constructor(command: string, child: ChildProcessWithoutNullStreams) {
    this.command = command
    this.child = child
    const done = Promise.withResolvers<void>()
    this.done = done.promise
    child.stdin.on("error", () => {})
    child.stdout.on("data", (chunk: Buffer) => this.chunk("stdout", chunk))
    child.stderr.on("data", (chunk: Buffer) => this.chunk("stderr", chunk))
    const finish = (code: number | null) => {
      if (this.exitCode !== undefined) return
      // A command killed by a signal reports what a shell would: 128 + signal.
      this.exitCode = code ?? 137
      for (const follower of this.followers) follower.close()
      this.followers.clear()
      done.resolve()
    }
    child.on("close", finish)
    child.on("error", () => finish(127))
  }

  private chunk(stream: "stdout" | "stderr", data: Buffer) {
    ;(stream === "stdout" ? this.stdout : this.stderr).push(data)
    const framed = Buffer.concat([stream === "stdout" ? stdoutMarker : stderrMarker, data])
    this.wire.push(framed)
    for (const follower of this.followers) follower.send(framed)
  }

  follow(peer: WebSocketPeer) {
    for (const framed of this.wire) peer.send(framed)
    if (this.exitCode !== undefined) return peer.close()
    this.followers.add(peer)
    peer.onClose(() => this.followers.delete(peer))
  }

  write(data: string) {
    this.input.push(data)
    if (this.exitCode === undefined) this.child.stdin.write(data)
  }

  kill() {
    killGroup(this.child)
  }
}

export class Session {
  readonly commands = new Map<string, SessionCommand>()
  readonly id: string
  constructor(id: string) {
    this.id = id
  }

  /** Daytona runs session commands through a shell; here `sh -c` in the container. */
  execute(container: Container, command: string): SessionCommand {
    const child = container.start(["/bin/sh", "-c", command])
    const entry = new SessionCommand(command, child)
    this.commands.set(entry.id, entry)
    return entry
  }

  kill() {
    for (const command of this.commands.values()) command.kill()
  }
}
