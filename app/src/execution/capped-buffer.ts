// Keeps the first `cap` bytes of a stream and counts the rest, so a chatty or
// hostile command cannot exhaust the control plane's memory.
export class CappedBuffer {
  readonly #cap: number
  readonly #chunks: Array<Buffer> = []
  #kept = 0
  #total = 0

  constructor(cap: number) {
    this.#cap = Math.max(0, cap)
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length
    const room = this.#cap - this.#kept
    if (room <= 0) return
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room)
    this.#chunks.push(part)
    this.#kept += part.length
  }

  get totalBytes(): number {
    return this.#total
  }

  get truncated(): boolean {
    return this.#total > this.#kept
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#kept)
  }
}
