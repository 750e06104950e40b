import { DeliveriesView } from "../../components/deliveries-view.tsx"

export const metadata = { title: "Deliveries" }

export default function DeliveriesPage() {
  return (
    <section aria-labelledby="deliveries-heading">
      <h1 id="deliveries-heading">Webhook deliveries</h1>
      <DeliveriesView />
    </section>
  )
}
