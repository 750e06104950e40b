// The bubblewrap command line for one command in a local sandbox. A pure
// function of its inputs so the isolation it promises can be read (and
// tested) in one place:
// - every namespace unshared; the network only with `network: true`;
// - the host's system directories read-only, a synthetic /etc/passwd, a fresh
//   /tmp (capped at the memory limit), /proc and /dev; only the workspace and
//   the sandbox's home writable; its arguments passed on fd 3, so the
//   sandbox's pid 1 (bwrap) shows no host path in its command line;
// - an environment made of exactly `env` (bwrap also clears its own);
// - rlimits applied by prlimit inside the new user namespace, where
//   RLIMIT_NPROC counts only this sandbox's processes.

export interface HostLayout {
  /** Top-level entries that are symlinks on the host (merged /usr): `/bin` → `usr/bin`. */
  readonly symlinks: ReadonlyArray<{ readonly path: string; readonly target: string }>
  /** Read-only directories bound at the same path (`/usr`, a Node install, …). */
  readonly readOnlyDirs: ReadonlyArray<string>
  /** Files and directories under /etc bound read-only when present. */
  readonly etcEntries: ReadonlyArray<string>
}

export interface SandboxLimits {
  readonly maxProcesses: number
  /** RLIMIT_AS of each process. */
  readonly memoryBytes: number
  /** RLIMIT_CPU of each process, in CPU seconds. */
  readonly cpuSeconds: number
  /** RLIMIT_FSIZE: the largest file a process may write. */
  readonly fileSizeBytes: number
  readonly openFiles: number
}

export interface BwrapCommand {
  readonly layout: HostLayout
  /** The only writable host directories: the workspace and the sandbox's home. */
  readonly writableBinds: ReadonlyArray<{ readonly hostPath: string; readonly sandboxPath: string }>
  /** Host files for the sandbox's /etc/passwd and /etc/group. */
  readonly passwdFile: string
  readonly groupFile: string
  /** Extra host paths bound read-only at their sandbox path (e.g. a local repository to clone). */
  readonly readOnlyBinds: ReadonlyArray<{ readonly hostPath: string; readonly sandboxPath: string }>
  readonly network: boolean
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly limits: SandboxLimits
  readonly prlimitPath: string
  readonly command: ReadonlyArray<string>
}

export const bwrapArgs = (c: BwrapCommand): Array<string> => {
  const args = ["--unshare-all", "--unshare-user"]
  if (c.network) args.push("--share-net")
  args.push("--die-with-parent", "--new-session", "--hostname", "sandbox", "--cap-drop", "ALL")
  args.push("--clearenv")
  for (const [name, value] of Object.entries(c.env)) args.push("--setenv", name, value)
  for (const dir of c.layout.readOnlyDirs) args.push("--ro-bind", dir, dir)
  for (const link of c.layout.symlinks) args.push("--symlink", link.target, link.path)
  for (const entry of c.layout.etcEntries) args.push("--ro-bind-try", entry, entry)
  args.push("--ro-bind", c.passwdFile, "/etc/passwd", "--ro-bind", c.groupFile, "/etc/group")
  // A fresh /proc of the sandbox's own PID namespace; /tmp is memory, so it is
  // capped at the sandbox's memory (bwrap's --size applies to the next tmpfs).
  args.push("--proc", "/proc", "--dev", "/dev")
  args.push("--size", String(c.limits.memoryBytes), "--tmpfs", "/tmp")
  for (const bind of c.writableBinds) args.push("--bind", bind.hostPath, bind.sandboxPath)
  for (const bind of c.readOnlyBinds) args.push("--ro-bind", bind.hostPath, bind.sandboxPath)
  args.push("--chdir", c.cwd, "--")
  const l = c.limits
  args.push(
    c.prlimitPath,
    `--nproc=${l.maxProcesses}`,
    `--as=${l.memoryBytes}`,
    `--cpu=${l.cpuSeconds}`,
    `--fsize=${l.fileSizeBytes}`,
    `--nofile=${l.openFiles}`,
    "--core=0",
    "--",
    ...c.command,
  )
  return args
}
