// How a short-lived token reaches `git clone` without being stored: an HTTP
// header handed to that one git process through GIT_CONFIG_* variables (the
// same header actions/checkout uses), so it never lands in `.git/config`, in
// the remote URL or in the agent's environment. Output that could echo it is
// scrubbed before anything keeps it.
import { Redacted } from "effect"

export interface GitAuth {
  readonly username: string
  readonly token: Redacted.Redacted<string>
}

/** True for URLs git fetches over HTTP(S); local paths and file:// need no credential. */
export const isHttpUrl = (url: string): boolean => /^https?:\/\//i.test(url)

/** A URL with `user:password@` would be written into `.git/config` as the remote: refused. */
export const hasUserInfo = (url: string): boolean => {
  if (!isHttpUrl(url)) return false
  try {
    const parsed = new URL(url)
    return parsed.username !== "" || parsed.password !== ""
  } catch {
    return false
  }
}

const basicCredential = (auth: GitAuth): string =>
  Buffer.from(`${auth.username}:${Redacted.value(auth.token)}`).toString("base64")

/** Environment for one git command that authenticates requests to the URL's origin. */
export const gitAuthEnv = (url: string, auth: GitAuth | undefined): Record<string, string> => {
  if (auth === undefined || !isHttpUrl(url)) return {}
  const origin = new URL(url).origin
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basicCredential(auth)}`,
  }
}

/** The forms a credential could appear in (raw and inside the basic header). */
export const secretForms = (auth: GitAuth | undefined): ReadonlyArray<string> =>
  auth === undefined ? [] : [Redacted.value(auth.token), basicCredential(auth)]

export const scrub = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.reduce((out, secret) => (secret === "" ? out : out.split(secret).join("***")), text)
