// The server side of a WebSocket (RFC 6455), as much as Daytona's toolbox
// uses for a followed session log: the handshake, binary frames out, and the
// client's close/ping frames in. The SDK connects with the `ws` package.
import { createHash } from "node:crypto"
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"

const acceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

export interface WebSocketPeer {
  readonly send: (data: Buffer) => void
  /** Sends a close frame (1000) and ends the connection. */
  readonly close: () => void
  readonly closed: () => boolean
  readonly onClose: (listener: () => void) => void
}

const frame = (opcode: number, payload: Buffer): Buffer => {
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)])
  return Buffer.concat([header, payload])
}

const bigLength = (length: number) => {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(length))
  return bytes
}

/** Completes the upgrade, or answers 400 and returns null. */
export const acceptWebSocket = (req: IncomingMessage, socket: Duplex): WebSocketPeer | null => {
  const key = req.headers["sec-websocket-key"]
  if (typeof key !== "string" || req.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
    return null
  }
  const accept = createHash("sha1")
    .update(key + acceptGuid)
    .digest("base64")
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  )
  let closed = false
  const listeners: Array<() => void> = []
  const finish = () => {
    if (closed) return
    closed = true
    for (const listener of listeners) listener()
  }
  socket.on("close", finish)
  socket.on("error", finish)
  let pending = Buffer.alloc(0)
  // Client frames are masked; only control frames matter here.
  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 2) {
      const opcode = (pending[0] ?? 0) & 0x0f
      let length = (pending[1] ?? 0) & 0x7f
      let offset = 2
      if (length === 126) {
        if (pending.length < 4) return
        length = pending.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (pending.length < 10) return
        length = Number(pending.readBigUInt64BE(2))
        offset = 10
      }
      const masked = ((pending[1] ?? 0) & 0x80) !== 0
      const total = offset + (masked ? 4 : 0) + length
      if (pending.length < total) return
      const mask = masked ? pending.subarray(offset, offset + 4) : null
      const payload = Buffer.from(pending.subarray(total - length, total))
      if (mask !== null)
        for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0)
      pending = pending.subarray(total)
      if (opcode === 0x8) {
        if (!closed) socket.end(frame(0x8, payload.subarray(0, 2)))
        finish()
      } else if (opcode === 0x9 && !closed) socket.write(frame(0xa, payload))
    }
  })
  return {
    send: (data) => {
      if (!closed && data.length > 0) socket.write(frame(0x2, data))
    },
    close: () => {
      if (closed) return
      socket.end(frame(0x8, Buffer.from([0x03, 0xe8])))
      finish()
    },
    closed: () => closed,
    onClose: (listener) => {
      if (closed) listener()
      else listeners.push(listener)
    },
  }
}
