import { Suspense } from "react"
import { RepositoriesView } from "../../components/repositories-view.tsx"
import { Loading } from "../../components/states.tsx"

export const metadata = { title: "Repositories" }

export default function RepositoriesPage() {
  return (
    <section aria-labelledby="repos-heading">
      <h1 id="repos-heading">Repositories</h1>
      <Suspense fallback={<Loading label="Loading repositories…" />}>
        <RepositoriesView />
      </Suspense>
    </section>
  )
}
