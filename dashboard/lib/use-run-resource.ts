"use client"
// One section of the run page that reads its own API answer: loaded once,
// again whenever `version` changes (the run gained records), and on retry.

import { useEffect, useState } from "react"
import { apiGet, errorMessage } from "./api.ts"

export const useRunResource = <A>(path: string, version: string) => {
  // null until the first answer arrives.
  const [data, setData] = useState<A | null>(null)
  const [error, setError] = useState<string | null>(null)
  const reload = () =>
    apiGet<A>(path)
      .then((answer) => {
        setData(answer)
        setError(null)
      })
      .catch((failure: unknown) => setError(errorMessage(failure)))
  useEffect(() => {
    void reload()
  }, [path, version])
  return { data, error, reload }
}
