// Structured JSON logs (pino, the logger Probot also uses). Every intake line
// carries the delivery id; secrets and payloads are never logged.
import { pino, type Logger as PinoLogger } from "pino"

export type Logger = PinoLogger

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "silent"

export const createLogger = (level: LogLevel = "info"): Logger =>
  pino({
    level,
    base: { service: "patchplane" },
    redact: {
      paths: ["payload", "*.payload", "headers.authorization", "token", "*.token"],
      censor: "[redacted]",
    },
  })
