// multipart/form-data both ways, as the toolbox's bulk file endpoints speak
// it: the SDK sends a path part and a file part per upload, and reads back a
// multipart answer with one `file` or `error` part per download.
import { randomUUID } from "node:crypto"

export interface Part {
  readonly name: string
  readonly filename?: string
  readonly data: Buffer
}

export const parseMultipart = (body: Buffer, contentType: string): Array<Part> => {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType)
  const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ""}`)
  const parts: Array<Part> = []
  let start = body.indexOf(marker)
  while (start !== -1) {
    const next = body.indexOf(marker, start + marker.length)
    if (next === -1) break
    const part = body.subarray(start + marker.length + 2, next - 2)
    const split = part.indexOf("\r\n\r\n")
    const headers = part.subarray(0, split).toString()
    const name = /name="([^"]*)"/.exec(headers)?.[1] ?? ""
    const filename = /filename="([^"]*)"/.exec(headers)?.[1]
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      data: part.subarray(split + 4),
    })
    start = next
  }
  return parts
}

export const buildMultipart = (
  parts: ReadonlyArray<{ name: string; filename: string; contentType: string; data: Buffer }>,
) => {
  const boundary = `standin${randomUUID().replaceAll("-", "")}`
  const chunks: Array<Buffer> = []
  for (const part of parts)
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
      ),
      part.data,
      Buffer.from("\r\n"),
    )
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) }
}
