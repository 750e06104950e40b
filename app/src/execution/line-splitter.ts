// Splits a byte stream into lines on "\n" only. Node's readline also breaks
// on U+2028/U+2029, which are legal inside JSON strings, so JSON-lines
// protocols need this stricter framing. Bytes are split before decoding, so
// a multi-byte character cut between chunks is never mangled.
export class LineSplitter {
  readonly #maxLineBytes: number
  #parts: Array<Buffer> = []
  #size = 0
  #overlong = false
  #dropped = 0

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes
  }

  /** Lines longer than the cap that were dropped. */
  get droppedLines(): number {
    return this.#dropped
  }

  /** The complete lines in `chunk` (plus what was buffered before it). */
  push(chunk: Buffer): Array<string> {
    const lines: Array<string> = []
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(0x0a, start)
      if (newline === -1) break
      this.#append(chunk.subarray(start, newline))
      const line = this.#take()
      if (line !== null) lines.push(line)
      start = newline + 1
    }
    if (start < chunk.length) this.#append(chunk.subarray(start))
    return lines
  }

  /** What is left when the stream ends (a last line without "\n"). */
  end(): Array<string> {
    if (this.#size === 0 && !this.#overlong) return []
    const line = this.#take()
    return line === null || line === "" ? [] : [line]
  }

  #append(part: Buffer): void {
    if (this.#overlong) return
    if (this.#size + part.length > this.#maxLineBytes) {
      this.#overlong = true
      this.#parts = []
      this.#size = 0
      return
    }
    this.#parts.push(part)
    this.#size += part.length
  }

  #take(): string | null {
    if (this.#overlong) {
      this.#overlong = false
      this.#dropped += 1
      return null
    }
    const text = Buffer.concat(this.#parts, this.#size).toString("utf8")
    this.#parts = []
    this.#size = 0
    return text.endsWith("\r") ? text.slice(0, -1) : text
  }
}
