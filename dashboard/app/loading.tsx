import { Loading } from "../components/states.tsx"

export default function PageLoading() {
  return <Loading label="Loading…" />
}
