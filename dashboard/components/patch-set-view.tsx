"use client"
// What the agent changed: the PatchSet's files with line counts, dependency
// changes (high risk), tests run, and the diff in Monaco, per file, with the
// reviewers' findings on their lines. When the diff text is not available the
// file list stays and the reason is said plainly.
import dynamic from "next/dynamic"
import { useEffect, useMemo, useState } from "react"
import { apiGet, errorMessage } from "../lib/api.ts"
import type {
  DiffAnswer,
  Finding,
  PatchSetRow,
  ReviewRow,
  WorkflowRunState,
} from "../lib/api-types.ts"
import { endedBefore } from "../lib/run-states.ts"
import { plural, shortId } from "../lib/format.ts"
import { useMediaQuery } from "../lib/use-media-query.ts"
import {
  diffSides,
  type DiffFile,
  filePath,
  languageFor,
  parseUnifiedDiff,
} from "../lib/unified-diff.ts"
import { Empty, Failure, Loading } from "./states.tsx"

const MonacoDiff = dynamic(() => import("./monaco-diff.tsx"), {
  ssr: false,
  loading: () => <Loading label="Loading the diff viewer…" />,
})

export interface DiffFocus {
  readonly file: string
  readonly line: number | null
  /** Changes on every request, so asking for the same line twice works. */
  readonly nonce: number
}

type DiffState =
  | { kind: "closed" }
  | { kind: "loading" }
  | { kind: "loaded"; files: DiffFile[]; truncated: boolean }
  | { kind: "unavailable"; reason: string }
  | { kind: "failed"; message: string }

export function PatchSetView({
  runId,
  patchSets,
  reviews,
  focus,
  runState,
}: {
  runId: string
  patchSets: ReadonlyArray<PatchSetRow>
  reviews: ReadonlyArray<ReviewRow>
  focus: DiffFocus | null
  runState: WorkflowRunState
}) {
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const patch =
    patchSets.find((p) => p.id === selectedId) ?? patchSets[patchSets.length - 1] ?? null
  const [diff, setDiff] = useState<DiffState>({ kind: "closed" })
  const [file, setFile] = useState<string | null>(null)
  const [plain, setPlain] = useState(false)
  const wide = useMediaQuery("(min-width: 1100px)", true)

  const open = async () => {
    if (patch === null) return
    setDiff({ kind: "loading" })
    try {
      const answer = await apiGet<DiffAnswer>(`/api/runs/${runId}/patch-sets/${patch.id}/diff`)
      if (!answer.available) return setDiff({ kind: "unavailable", reason: answer.reason })
      const files = parseUnifiedDiff(answer.diff)
      setDiff({ kind: "loaded", files, truncated: answer.truncated })
      setFile((current) => current ?? (files[0] === undefined ? null : filePath(files[0])))
    } catch (failure) {
      setDiff({ kind: "failed", message: errorMessage(failure) })
    }
  }

  // A finding was picked elsewhere on the page: open the diff at its line.
  useEffect(() => {
    if (focus === null) return
    setFile(focus.file)
    if (diff.kind === "closed" || diff.kind === "failed") void open()
    document.getElementById("changes")?.scrollIntoView({ behavior: "smooth", block: "start" })
  }, [focus?.nonce])

  const findings = useMemo(
    () =>
      reviews
        .filter((review) => review.patchSetId === patch?.id)
        .flatMap((review) =>
          review.findings.map((f) => ({ ...f, message: `${review.reviewer}: ${f.message}` })),
        ),
    [reviews, patch?.id],
  )

  const ended = endedBefore(runState, "a patch set")
  if (patch === null && ended !== null) return <Empty title={ended} />
  if (patch === null)
    return (
      <Empty title="No patch set yet.">
        The agent&apos;s changes appear here once it finishes.
      </Empty>
    )

  const summary = patch.diffSummary
  const current =
    diff.kind === "loaded"
      ? (diff.files.find((f) => filePath(f) === file) ?? diff.files[0])
      : undefined
  const sides = current === undefined ? null : diffSides(current)
  const fileFindings: Finding[] =
    current === undefined ? [] : findings.filter((f) => f.file === filePath(current))

  return (
    <div className="patch-set">
      {patchSets.length > 1 ? (
        <div className="field field-inline">
          <label htmlFor="patch-select">Patch set</label>
          <select
            id="patch-select"
            value={patch.id}
            onChange={(event) => {
              setSelectedId(event.target.value)
              setDiff({ kind: "closed" })
              setFile(null)
            }}
          >
            {patchSets.map((p, index) => (
              <option key={p.id} value={p.id}>
                #{index + 1} {shortId(p.id)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <p className="patch-summary">
        Branch <code>{patch.branch}</code> ·{" "}
        {plural(summary.filesChanged ?? patch.files.length, "file")}{" "}
        <span className="added">+{summary.additions ?? 0}</span>{" "}
        <span className="removed">−{summary.deletions ?? 0}</span>
        {patch.testsRun.length > 0
          ? ` · tests run: ${patch.testsRun.join(", ")}`
          : " · no tests run"}
      </p>
      {patch.dependencyChanges.length > 0 ? (
        <div className="banner banner-warning" role="note">
          <strong>High risk:</strong> dependency changes —{" "}
          {patch.dependencyChanges
            .map((d) => `${d.name} ${d.from ?? "∅"} → ${d.to ?? "∅"} (${d.manifest})`)
            .join("; ")}
        </div>
      ) : null}
      <div className="files-and-diff">
        <ul className="file-list" aria-label="Changed files">
          {patch.files.map((f) => (
            <li key={f.path}>
              <button
                type="button"
                className="file-button"
                aria-pressed={file === f.path}
                onClick={() => {
                  setFile(f.path)
                  if (diff.kind === "closed") void open()
                }}
              >
                <span className={`file-status file-${f.status}`}>{f.status[0]?.toUpperCase()}</span>
                <span className="file-path">{f.path}</span>
                <span className="added">+{f.additions}</span>{" "}
                <span className="removed">−{f.deletions}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="diff-area">
          {diff.kind === "closed" ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => void open()}
              data-testid="open-diff"
            >
              Open diff
            </button>
          ) : diff.kind === "loading" ? (
            <Loading label="Loading the diff…" />
          ) : diff.kind === "failed" ? (
            <Failure
              title="Could not load the diff"
              message={diff.message}
              onRetry={() => void open()}
            />
          ) : diff.kind === "unavailable" ? (
            <div className="state state-empty" data-testid="diff-unavailable">
              <p className="state-title">Diff not available</p>
              <p className="state-body">
                {diff.reason}. The changed files and their line counts are listed beside this.
              </p>
            </div>
          ) : current === undefined || sides === null ? (
            <Empty title="The diff has no text changes." />
          ) : (
            <>
              <div className="diff-toolbar">
                <strong className="mono">{filePath(current)}</strong>
                {diff.truncated ? <span className="muted"> (diff truncated)</span> : null}
                <label>
                  <input
                    type="checkbox"
                    checked={plain}
                    onChange={(e) => setPlain(e.target.checked)}
                  />{" "}
                  Plain text
                </label>
              </div>
              {current.binary ? (
                <Empty title="Binary file: no text diff." />
              ) : plain ? (
                <pre
                  className="plain-diff"
                  tabIndex={0}
                  aria-label={`Diff of ${filePath(current)}`}
                >
                  {current.hunks
                    .flatMap((h) => h.lines.map((l) => `${l.type}${l.text}`))
                    .join("\n")}
                </pre>
              ) : (
                <MonacoDiff
                  sides={sides}
                  language={languageFor(filePath(current))}
                  findings={fileFindings}
                  focusLine={focus !== null && focus.file === filePath(current) ? focus.line : null}
                  // One-sided changes (added or deleted files) read best inline: the
                  // other side would be an empty pane.
                  sideBySide={wide && current.oldPath !== null && current.newPath !== null}
                />
              )}
            </>
          )}
        </div>
      </div>
    </div>
  )
}
