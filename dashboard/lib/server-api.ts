// Server-side render calls to the control plane API: over loopback (the
// address the custom server put in x-patchplane-api, never the client's),
// with the visitor's own cookies, so the API decides what they may see.
import { headers } from "next/headers"

export const serverGet = async <T>(path: string): Promise<{ status: number; body: T | null }> => {
  const incoming = await headers()
  const origin = incoming.get("x-patchplane-api")
  if (origin === null) throw new Error("the dashboard must be served by PatchPlane's server")
  const cookie = incoming.get("cookie")
  const response = await fetch(`${origin}${path}`, {
    cache: "no-store",
    headers: { accept: "application/json", ...(cookie === null ? {} : { cookie }) },
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as T) }
}
