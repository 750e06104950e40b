// The job's GitHub Actions OIDC token, audience "patchplane": the only
// credential the Action sends. The runner exposes the request URL and a
// bearer token only when the workflow has `permissions: id-token: write`.
import type { Env } from "./toolkit.ts"

export class OidcUnavailable extends Error {}

export const requestIdToken = async (env: Env, audience: string): Promise<string> => {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !requestToken)
    throw new OidcUnavailable(
      "no OIDC token available: give the job `permissions: id-token: write` " +
        "(ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
    )
  const target = new URL(url)
  target.searchParams.set("audience", audience)
  const res = await fetch(target, {
    headers: { authorization: `bearer ${requestToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(30_000),
  })
  if (!res.ok) throw new OidcUnavailable(`the OIDC token request answered ${res.status}`)
  const body = (await res.json()) as { value?: unknown }
  if (typeof body.value !== "string" || body.value === "")
    throw new OidcUnavailable("the OIDC token response has no value")
  return body.value
}
