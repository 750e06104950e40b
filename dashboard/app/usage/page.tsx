import { UsageView } from "../../components/usage-view.tsx"

export const metadata = { title: "Usage" }

export default function UsagePage() {
  return (
    <section aria-labelledby="usage-heading">
      <h1 id="usage-heading">Usage</h1>
      <UsageView />
    </section>
  )
}
