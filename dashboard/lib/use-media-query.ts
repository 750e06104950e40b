"use client"
import { useEffect, useState } from "react"

/** Whether a CSS media query matches, following changes (window resize, system theme). */
export const useMediaQuery = (query: string, initial: boolean): boolean => {
  const [matches, setMatches] = useState(initial)
  useEffect(() => {
    const list = window.matchMedia(query)
    setMatches(list.matches)
    const listener = (event: MediaQueryListEvent) => setMatches(event.matches)
    list.addEventListener("change", listener)
    return () => list.removeEventListener("change", listener)
  }, [query])
  return matches
}

/** The system's dark colour scheme, which the dashboard follows. */
export const usePrefersDark = (): boolean => useMediaQuery("(prefers-color-scheme: dark)", false)
