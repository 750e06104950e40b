// Closing the HTTP server without hanging: the port closes at once, keep-alive
// connections close as soon as they are idle (streams were just ended, so
// theirs become idle a moment later), requests in flight get `graceMs` to
// finish, and whatever is still open after that is cut, so a stop takes
// seconds however many dashboard tabs are open.
import type { Server } from "node:http"

export const closeHttpServer = (server: Server, graceMs = 2_000): Promise<void> =>
  new Promise<void>((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50)
    const cut = setTimeout(() => server.closeAllConnections(), graceMs)
    server.close(() => {
      clearInterval(idle)
      clearTimeout(cut)
      resolve()
    })
    server.closeIdleConnections()
  })
