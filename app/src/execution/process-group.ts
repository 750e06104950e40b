// How every host process of a sandbox (bwrap) starts and stops: in its own
// process group (and session), so one SIGKILL to the group reaches whatever
// it started; with exactly the environment given (nothing inherited); and
// with bwrap's options on fd 3 when there are any. process-runner.ts (one
// command to completion) and process-spawner.ts (a long-running agent) build
// on it.
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import type { Writable } from "node:stream"

export interface GroupCommand {
  readonly file: string
  readonly args: ReadonlyArray<string>
  /** The complete environment of the process: nothing is inherited. */
  readonly env: Readonly<Record<string, string>>
  readonly uid?: number
  readonly gid?: number
  /**
   * Written to the process's fd 3 and closed (bwrap's `--args 3`): arguments
   * that must not show in /proc/<pid>/cmdline, which the sandbox can read.
   */
  readonly fd3?: Uint8Array
}

export class SpawnFailed extends Error {}

/** Hands `data` to the child's fd 3 and closes it; a child that exits early is not an error. */
const writeFd3 = (child: ChildProcess, data: Uint8Array | undefined): void => {
  if (data === undefined) return
  const pipe = child.stdio[3] as Writable | null | undefined
  pipe?.on("error", () => {})
  pipe?.end(data)
}

/** Starts the command as the leader of a new process group, stdin/stdout/stderr piped. */
export const spawnGroupLeader = (command: GroupCommand): ChildProcessWithoutNullStreams => {
  const child = spawn(command.file, [...command.args], {
    env: { ...command.env },
    detached: true,
    stdio: command.fd3 === undefined ? ["pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe", "pipe"],
    ...(command.uid === undefined ? {} : { uid: command.uid }),
    ...(command.gid === undefined ? {} : { gid: command.gid }),
  }) as ChildProcessWithoutNullStreams
  writeFd3(child, command.fd3)
  return child
}

/** SIGKILLs the child's whole process group; one already gone is no error. */
export const killGroup = (child: ChildProcess): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // Already gone.
  }
}
