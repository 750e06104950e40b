"use client"
/* oxlint-disable import/no-unassigned-import -- Monaco's features register themselves on import. */
// Monaco's diff editor, loaded from the local `monaco-editor` package (never
// a CDN): @monaco-editor/react is pointed at this bundled instance, and the
// editor's worker is a local chunk. Only the features a read-only diff needs
// are included, plus syntax coloring for common languages.
import { DiffEditor, type DiffOnMount, loader } from "@monaco-editor/react"
import * as monaco from "monaco-editor/editor/editor.api.js"
import "monaco-editor/features/codicon/register.js"
import "monaco-editor/features/codeEditor/register.js"
import "monaco-editor/features/diffEditor/register.js"
import "monaco-editor/features/hover/register.js"
import "monaco-editor/features/find/register.js"
import "monaco-editor/features/clipboard/register.js"
import "monaco-editor/languages/definitions/typescript/register.js"
import "monaco-editor/languages/definitions/javascript/register.js"
import "monaco-editor/languages/definitions/markdown/register.js"
import "monaco-editor/languages/definitions/yaml/register.js"
import "monaco-editor/languages/definitions/css/register.js"
import "monaco-editor/languages/definitions/scss/register.js"
import "monaco-editor/languages/definitions/html/register.js"
import "monaco-editor/languages/definitions/python/register.js"
import "monaco-editor/languages/definitions/go/register.js"
import "monaco-editor/languages/definitions/rust/register.js"
import "monaco-editor/languages/definitions/java/register.js"
import "monaco-editor/languages/definitions/ruby/register.js"
import "monaco-editor/languages/definitions/shell/register.js"
import "monaco-editor/languages/definitions/sql/register.js"
import "monaco-editor/languages/definitions/ini/register.js"
import "monaco-editor/languages/definitions/dockerfile/register.js"
import { useEffect, useRef } from "react"
import type { Finding } from "../lib/api-types.ts"
import { type DiffSides, editorLineFor } from "../lib/unified-diff.ts"
import { usePrefersDark } from "../lib/use-media-query.ts"

;(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () =>
    new Worker(new URL("monaco-editor/editor/editor.worker.js", import.meta.url), {
      type: "module",
    }),
}
loader.config({ monaco })

/** Shows each editor line's real line number in the file (blank for "⋯"). */
const lineNumbers = (numbers: ReadonlyArray<number | null>) => (line: number) =>
  String(numbers[line - 1] ?? "")

type DiffEditorInstance = Parameters<DiffOnMount>[0]

const SEVERITY: Record<Finding["severity"], string> = {
  info: "info",
  warning: "warning",
  error: "error",
  critical: "error",
}

export default function MonacoDiff({
  sides,
  language,
  findings,
  focusLine,
  sideBySide,
}: {
  sides: DiffSides
  language: string
  /** Review findings on this file, shown on their lines. */
  findings: ReadonlyArray<Finding>
  /** A line of the new file to scroll to and highlight. */
  focusLine: number | null
  sideBySide: boolean
}) {
  const dark = usePrefersDark()
  const editor = useRef<DiffEditorInstance | null>(null)
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null)

  const apply = () => {
    const instance = editor.current
    if (instance === null) return
    instance.getOriginalEditor().updateOptions({ lineNumbers: lineNumbers(sides.originalNumbers) })
    instance.getModifiedEditor().updateOptions({ lineNumbers: lineNumbers(sides.modifiedNumbers) })
    const marks = findings.flatMap((finding) => {
      const line = finding.line === null ? null : editorLineFor(sides, finding.line)
      if (line === null) return []
      return [
        {
          range: new monaco.Range(line, 1, line, 1),
          options: {
            isWholeLine: true,
            className: `finding-line finding-${SEVERITY[finding.severity]}`,
            glyphMarginClassName: `finding-glyph finding-${SEVERITY[finding.severity]}`,
            hoverMessage: {
              value: `**${finding.severity}**${finding.rule ? ` (${finding.rule})` : ""}: ${finding.message}`,
            },
          },
        },
      ]
    })
    decorations.current?.clear()
    decorations.current = instance.getModifiedEditor().createDecorationsCollection(marks)
  }

  const onMount: DiffOnMount = (instance) => {
    editor.current = instance
    apply()
    reveal()
  }

  const reveal = () => {
    const instance = editor.current
    if (instance === null || focusLine === null) return
    const line = editorLineFor(sides, focusLine)
    if (line === null) return
    const modified = instance.getModifiedEditor()
    modified.revealLineInCenter(line)
    modified.setSelection(
      new monaco.Range(line, 1, line, modified.getModel()?.getLineMaxColumn(line) ?? 1),
    )
  }

  useEffect(apply, [sides, findings])
  useEffect(reveal, [focusLine, sides])

  return (
    <div className="monaco-frame" data-testid="monaco-diff">
      <DiffEditor
        height={`${Math.min(520, Math.max(140, 19 * Math.max(sides.originalNumbers.length, sides.modifiedNumbers.length) + 24))}px`}
        language={language}
        original={sides.original}
        modified={sides.modified}
        theme={dark ? "vs-dark" : "vs"}
        onMount={onMount}
        loading={<p className="muted">Loading the diff viewer…</p>}
        options={{
          readOnly: true,
          originalEditable: false,
          renderSideBySide: sideBySide,
          automaticLayout: true,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          glyphMargin: true,
          renderOverviewRuler: false,
          ariaLabel: "Diff of the selected file",
        }}
      />
    </div>
  )
}
