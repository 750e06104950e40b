// The HTTP plumbing the local Daytona's REST and toolbox routes share: a
// failure with its status, bodies read and written as JSON, and requests
// decoded against Daytona's own models.
import type { IncomingMessage, ServerResponse } from "node:http"
import { type ClientPackage, modelViolation } from "./contract.ts"

export class HttpFailure extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

/** The request body as `model`, or a 400 naming what Daytona's model refuses. */
export const parseModel = (pkg: ClientPackage, model: string, body: Buffer) => {
  let value: unknown
  try {
    value = JSON.parse(body.toString() || "null")
  } catch {
    throw new HttpFailure(400, `${model}: body is not JSON`)
  }
  const violation = modelViolation(pkg, model, value)
  if (violation !== null) throw new HttpFailure(400, violation)
  return value as Record<string, unknown>
}
