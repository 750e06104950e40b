// Logs (pino, the logger Probot also uses). Every intake line carries the
// delivery id; secrets and payloads are never logged. A person at a terminal
// reads one short line per event (time, level, message, fields); anything
// else (a pipe, a file, a log collector) gets one JSON object per line.
import { pino, type Logger as PinoLogger } from "pino"
import pretty from "pino-pretty"

export type Logger = PinoLogger

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "silent"

/** `auto`: readable lines when stdout is a terminal, JSON otherwise. */
export type LogFormat = "auto" | "pretty" | "json"

const readable = () =>
  pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,service",
    singleLine: true,
    // Synchronous, so lines written just before process.exit (shutdown) are not lost.
    sync: true,
  })

export const createLogger = (level: LogLevel = "info", format: LogFormat = "auto"): Logger => {
  const options = {
    level,
    base: { service: "patchplane" },
    redact: {
      paths: ["payload", "*.payload", "headers.authorization", "token", "*.token"],
      censor: "[redacted]",
    },
  }
  const human = format === "pretty" || (format === "auto" && process.stdout.isTTY === true)
  return human ? pino(options, readable()) : pino(options)
}
