import { Suspense } from "react"
import { RunList } from "../components/run-list.tsx"
import { Loading } from "../components/states.tsx"

export const metadata = { title: "Runs" }

export default function RunsPage() {
  return (
    <Suspense fallback={<Loading label="Loading runs…" />}>
      <RunList />
    </Suspense>
  )
}
