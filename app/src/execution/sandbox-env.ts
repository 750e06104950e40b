// The only environment a sandboxed process gets: a fixed allow-list plus what
// the caller passes explicitly. Nothing is copied from the control plane's own
// environment, so its secrets (App key, webhook secret, DB URL, WorkOS key)
// cannot reach generated code.
import { Effect } from "effect"
import { ExecutionError } from "./execution-errors.ts"

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface BaseEnv {
  readonly path: string
  readonly home: string
}

export const baseSandboxEnv = ({ path, home }: BaseEnv): Record<string, string> => ({
  PATH: path,
  HOME: home,
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TMPDIR: "/tmp",
  TERM: "dumb",
  // git must not prompt for credentials inside a sandbox: there is nobody to answer.
  GIT_TERMINAL_PROMPT: "0",
})

/** Merges the layers of env, later ones winning; refuses names a shell could not hold. */
export const sandboxEnv = (
  sandboxId: string | null,
  ...layers: ReadonlyArray<Readonly<Record<string, string>> | undefined>
): Effect.Effect<Record<string, string>, ExecutionError> => {
  const env: Record<string, string> = {}
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (!envName.test(name) || value.includes("\0"))
        return Effect.fail(
          new ExecutionError({
            operation: "exec",
            sandboxId,
            message: `invalid environment variable name or value: ${JSON.stringify(name)}`,
          }),
        )
      env[name] = value
    }
  }
  return Effect.succeed(env)
}
