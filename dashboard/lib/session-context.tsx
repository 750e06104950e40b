"use client"
// Who is signed in, with which role, and the kill switch's state, for every
// component. The kill switch is polled each second while the tab is visible,
// so a pause by another operator shows everywhere within a second.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react"
import { apiGet } from "./api.ts"
import type { Caller, ControlState, SessionInfo } from "./api-types.ts"

interface SessionValue {
  readonly session: SessionInfo
  readonly caller: Caller
  readonly paused: boolean
  setPaused(paused: boolean): void
}

const SessionContext = createContext<SessionValue | null>(null)

export function SessionProvider({
  session,
  caller,
  children,
}: {
  session: SessionInfo
  caller: Caller
  children: ReactNode
}) {
  const [paused, setPaused] = useState(session.paused ?? false)
  const refresh = useCallback(async () => {
    if (document.visibilityState !== "visible") return
    try {
      setPaused((await apiGet<ControlState>("/api/control")).paused)
    } catch {
      // Offline for a moment: keep the last known state.
    }
  }, [])
  useEffect(() => {
    const timer = setInterval(() => void refresh(), 1_000)
    document.addEventListener("visibilitychange", refresh)
    return () => {
      clearInterval(timer)
      document.removeEventListener("visibilitychange", refresh)
    }
  }, [refresh])
  return (
    <SessionContext.Provider value={{ session, caller, paused, setPaused }}>
      {children}
    </SessionContext.Provider>
  )
}

export const useSession = (): SessionValue => {
  const value = useContext(SessionContext)
  if (value === null) throw new Error("useSession outside SessionProvider")
  return value
}
