// What the agent saw: the GitHub context assembled for a run (issue/PR text,
// comments, repository instructions), sanitised and budgeted.
import { Schema } from "effect"
import { NonNegativeInt } from "./primitives.ts"

/** One part of the context: where it came from and what the budget did to it. */
export const RunContextPart = Schema.Struct({
  kind: Schema.String,
  /** e.g. "acme/widgets#3", "acme/widgets#3 comment 1201 by @alice", "CLAUDE.md@main". */
  source: Schema.String,
  title: Schema.String,
  /** Characters after sanitising, before the budget. */
  originalChars: NonNegativeInt,
  /** Characters given to the agent. */
  chars: NonNegativeInt,
  truncated: Schema.Boolean,
  /** Sanitising removed something (hidden HTML, invisible characters). */
  sanitised: Schema.Boolean,
  /** The text as given to the agent. */
  text: Schema.String,
})
export type RunContextPart = typeof RunContextPart.Type
