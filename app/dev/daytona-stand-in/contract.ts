// Daytona's own description of its wire: the generated API clients the SDK
// uses (`@daytona/api-client` for the REST API, `@daytona/toolbox-api-client`
// for the in-sandbox toolbox) declare each request and response model as a
// TypeScript interface. The stand-in reads those declarations and checks what
// it receives and answers against them: required fields present, no field the
// model does not know. A drift between the SDK and the stand-in fails loudly.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

export type ClientPackage = "@daytona/api-client" | "@daytona/toolbox-api-client"

export interface ModelShape {
  readonly name: string
  readonly required: ReadonlyArray<string>
  readonly known: ReadonlySet<string>
}

const require = createRequire(import.meta.url)
const cache = new Map<string, ModelShape>()

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()

/** The top-level properties of `export interface <name>` in the package's models. */
export const modelShape = (pkg: ClientPackage, name: string): ModelShape => {
  const key = `${pkg}:${name}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  // The clients come with `@daytonaio/sdk`; resolved from there, as the SDK does.
  const sdkDir = dirname(require.resolve("@daytonaio/sdk/package.json"))
  const packageDir = dirname(
    createRequire(join(sdkDir, "package.json")).resolve(`${pkg}/package.json`),
  )
  const source = readFileSync(join(packageDir, "src", "models", `${kebab(name)}.d.ts`), "utf8")
  const body = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(source)?.[1]
  if (body === undefined) throw new Error(`${pkg} declares no model ${name}`)
  const required: Array<string> = []
  const known = new Set<string>()
  // Top-level members are indented four spaces: `    'name'?: type;`.
  for (const match of body.matchAll(/^ {4}'?([A-Za-z_][\w]*)'?(\?)?:/gm)) {
    const field = match[1] ?? ""
    known.add(field)
    if (match[2] === undefined) required.push(field)
  }
  const shape = { name, required, known }
  cache.set(key, shape)
  return shape
}

/** What is wrong with `value` as a `name`, or null when it fits. */
export const modelViolation = (pkg: ClientPackage, name: string, value: unknown): string | null => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `${name}: expected an object`
  const shape = modelShape(pkg, name)
  const record = value as Record<string, unknown>
  const missing = shape.required.filter((field) => record[field] === undefined)
  if (missing.length > 0) return `${name}: missing required ${missing.join(", ")}`
  const unknown = Object.keys(record).filter((field) => !shape.known.has(field))
  if (unknown.length > 0) return `${name}: unknown field ${unknown.join(", ")}`
  return null
}

/** Throws for a response the stand-in was about to send that Daytona's model does not allow. */
export const checkedResponse = <A>(pkg: ClientPackage, name: string, value: A): A => {
  const violation = modelViolation(pkg, name, value)
  if (violation !== null) throw new Error(`stand-in answer breaks Daytona's model: ${violation}`)
  return value
}
