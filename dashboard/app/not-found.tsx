import Link from "next/link"

export default function NotFound() {
  return (
    <div className="state state-empty">
      <p className="state-title">There is no such page.</p>
      <p className="state-body">
        <Link href="/">Back to the runs</Link>
      </p>
    </div>
  )
}
