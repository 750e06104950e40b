// The few bits of the GitHub Actions toolkit the Action needs, without
// @actions/*: inputs from INPUT_* env, workflow commands (annotations, log
// groups), the job summary and step outputs (files GitHub names in env).
import { randomUUID } from "node:crypto"
import { appendFileSync } from "node:fs"

export type Env = Readonly<Record<string, string | undefined>>

/** An input as the runner passes it: INPUT_<NAME uppercased, spaces as _>, hyphens kept. */
export const getInput = (env: Env, name: string): string =>
  (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim()

const escapeData = (text: string) =>
  text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C")

export type AnnotationLevel = "error" | "warning" | "notice"

export interface AnnotationProperties {
  readonly file?: string
  readonly line?: number
  readonly title?: string
}

/** `::error file=…,line=…,title=…::message`: shown on the diff line in the PR. */
export const annotation = (
  level: AnnotationLevel,
  message: string,
  props: AnnotationProperties = {},
): string => {
  const parts: string[] = []
  if (props.file !== undefined && props.file !== "")
    parts.push(`file=${escapeProperty(props.file)}`)
  if (props.line !== undefined) parts.push(`line=${props.line}`)
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`)
  return `::${level}${parts.length > 0 ? ` ${parts.join(",")}` : ""}::${escapeData(message)}`
}

export interface Output {
  readonly write: (line: string) => void
}

export const stdout: Output = { write: (line) => process.stdout.write(`${line}\n`) }

export const group = (out: Output, title: string, body: string): void => {
  out.write(`::group::${escapeData(title)}`)
  if (body !== "") out.write(body.replace(/\n$/, ""))
  out.write("::endgroup::")
}

/** Appends Markdown to the job summary ($GITHUB_STEP_SUMMARY), if the runner gave one. */
export const appendSummary = (env: Env, markdown: string): void => {
  const file = env.GITHUB_STEP_SUMMARY
  if (file !== undefined && file !== "") appendFileSync(file, `${markdown}\n`)
}

/** Sets a step output ($GITHUB_OUTPUT, heredoc form so any value is safe). */
export const setOutput = (env: Env, name: string, value: string): void => {
  const file = env.GITHUB_OUTPUT
  if (file === undefined || file === "") return
  const delimiter = `ghadelimiter_${randomUUID()}`
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
}
