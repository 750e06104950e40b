// The few cookie operations the dashboard's sign-in needs.
import type { IncomingMessage } from "node:http"

export const readCookie = (req: IncomingMessage, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const index = part.indexOf("=")
    if (index === -1) continue
    if (part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim()
      try {
        return decodeURIComponent(value)
      } catch {
        return value
      }
    }
  }
  return undefined
}

/** Rewrites one cookie on the incoming request (a refreshed session, seen by the page render). */
export const replaceRequestCookie = (req: IncomingMessage, name: string, value: string): void => {
  const others = (req.headers.cookie ?? "")
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "" && !part.startsWith(`${name}=`))
  req.headers.cookie = [...others, `${name}=${encodeURIComponent(value)}`].join("; ")
}

export interface CookieOptions {
  readonly path: string
  readonly secure: boolean
  /** Seconds; 0 deletes the cookie. */
  readonly maxAge: number
}

/** HttpOnly and SameSite=Lax always: scripts never read it and other sites never send it. */
export const cookieHeader = (name: string, value: string, options: CookieOptions): string =>
  [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ")
