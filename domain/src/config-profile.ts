// Named runtime + sandbox settings a run executes with.
import { Schema } from "effect"
import { Id, PositiveInt, Timestamp, withDefault } from "./primitives.ts"
import { NetworkPolicy } from "./policy-bundle.ts"

export const SandboxBackend = Schema.Literals(["local", "daytona"])
export type SandboxBackend = typeof SandboxBackend.Type

export const SandboxProfile = Schema.Struct({
  backend: SandboxBackend.pipe(withDefault("local")),
  /** Daytona image or snapshot; the local sandbox uses the host's read-only system. */
  image: Schema.optionalKey(Schema.NonEmptyString),
  snapshot: Schema.optionalKey(Schema.NonEmptyString),
  cpu: PositiveInt.pipe(withDefault(2)),
  memoryMb: PositiveInt.pipe(withDefault(4096)),
  diskGb: PositiveInt.pipe(withDefault(10)),
  maxProcesses: PositiveInt.pipe(withDefault(512)),
  timeoutSeconds: PositiveInt.pipe(withDefault(3600)),
  network: NetworkPolicy.pipe(withDefault("none")),
})
export type SandboxProfile = typeof SandboxProfile.Type

export const RuntimeProfile = Schema.Struct({
  adapter: Schema.Literal("pi").pipe(withDefault("pi")),
  provider: Schema.NonEmptyString.pipe(withDefault("patchplane-gateway")),
  model: Schema.NonEmptyString.pipe(withDefault("default")),
  turnTimeoutSeconds: PositiveInt.pipe(withDefault(600)),
  maxTurns: PositiveInt.pipe(withDefault(30)),
})
export type RuntimeProfile = typeof RuntimeProfile.Type

export const ConfigProfile = Schema.Struct({
  id: Id,
  name: Schema.NonEmptyString,
  runtime: RuntimeProfile,
  sandbox: SandboxProfile,
  policyBundleId: Schema.NullOr(Id),
  createdAt: Timestamp,
})
export type ConfigProfile = typeof ConfigProfile.Type
