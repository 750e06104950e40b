"use client"
// A clock that re-renders relative times ("2 minutes ago") now and then; null stops it.
import { useEffect, useState } from "react"

export const useNow = (everyMs: number | null): number => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (everyMs === null) return
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
