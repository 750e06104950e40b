import { PromptForm } from "../../components/prompt-form.tsx"

export const metadata = { title: "New run" }

export default function NewRunPage() {
  return (
    <section aria-labelledby="new-heading" className="narrow">
      <h1 id="new-heading">Start a run</h1>
      <PromptForm />
    </section>
  )
}
