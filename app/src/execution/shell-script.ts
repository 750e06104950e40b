// Turns an argv, a working directory, environment and stdin into one command
// line for backends that take a string (Daytona's process API splits it on
// spaces and quotes, without a shell). The real script travels base64-encoded,
// so no quoting of ours can be reinterpreted by theirs.

/** POSIX single-quote quoting: safe for any byte string without NUL. */
export const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`

export interface ScriptParts {
  readonly command: ReadonlyArray<string>
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
  readonly stdin?: string | Uint8Array
}

export const shellScript = ({ command, cwd, env = {}, stdin }: ScriptParts): string => {
  const lines = [`cd -- ${shellQuote(cwd)} || exit 126`]
  for (const [name, value] of Object.entries(env)) lines.push(`export ${name}=${shellQuote(value)}`)
  const argv = command.map(shellQuote).join(" ")
  if (stdin === undefined) lines.push(`exec ${argv} </dev/null`)
  else {
    const data = Buffer.from(typeof stdin === "string" ? stdin : stdin).toString("base64")
    lines.push(`printf %s ${data} | base64 -d | ${argv}`)
  }
  return lines.join("\n")
}

/** Like `shellScript`, but the command keeps the caller's stdin (an interactive process). */
export const interactiveScript = ({ command, cwd, env = {} }: ScriptParts): string => {
  const lines = [`cd -- ${shellQuote(cwd)} || exit 126`]
  for (const [name, value] of Object.entries(env)) lines.push(`export ${name}=${shellQuote(value)}`)
  lines.push(`exec ${command.map(shellQuote).join(" ")}`)
  return lines.join("\n")
}

/** A single command line that runs `script` with sh. */
export const wrapScript = (script: string): string =>
  `sh -c 'eval "$(printf %s ${Buffer.from(script).toString("base64")} | base64 -d)"'`
