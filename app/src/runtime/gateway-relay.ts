// The local sandbox's one way out. A sandbox without network cannot reach the
// control plane's HTTP port, so each session gets a unix socket in a fresh
// host directory that is bound into its sandbox; the socket serves the model
// gateway's routes and nothing else (any other path is a 404). Inside the
// sandbox, the launcher relays 127.0.0.1:<port> to the socket.
import { chmod, mkdtemp, rm } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { sendJson } from "../platform/http-json.ts"
import type { ModelGatewayShape } from "./model-gateway.ts"

export interface GatewaySocket {
  /** Host directory holding the socket: bind it into the sandbox. */
  readonly hostDir: string
  readonly socketName: string
}

export const gatewaySocketName = "model-gateway.sock"

/** Serves `gateway` on a unix socket for the current scope (closed and removed after). */
export const serveGatewaySocket = (
  gateway: ModelGatewayShape,
  baseDir: string = tmpdir(),
): Effect.Effect<GatewaySocket, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const hostDir = await mkdtemp(join(baseDir, "pp-gateway-"))
        const socketPath = join(hostDir, gatewaySocketName)
        const server: Server = createServer((req, res) => {
          gateway.handle(req, res).then(
            (handled) => {
              if (handled) return
              sendJson(res, 404, { error: { message: "only the model gateway is reachable" } })
            },
            () => res.destroy(),
          )
        })
        try {
          await new Promise<void>((resolve, reject) => {
            server.once("error", reject)
            server.listen(socketPath, () => resolve())
          })
          // The sandbox runs as another uid (nobody, when we are root): it may
          // enter the directory and connect to the socket, nothing more.
          await chmod(hostDir, 0o711)
          await chmod(socketPath, 0o666)
        } catch (error) {
          server.close()
          await rm(hostDir, { recursive: true, force: true })
          throw error
        }
        return { server, hostDir }
      },
      catch: (error) => new Error(`cannot open the gateway socket: ${String(error)}`),
    }),
    ({ server, hostDir }) =>
      Effect.promise(async () => {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await rm(hostDir, { recursive: true, force: true })
      }),
  ).pipe(Effect.map(({ hostDir }) => ({ hostDir, socketName: gatewaySocketName })))
