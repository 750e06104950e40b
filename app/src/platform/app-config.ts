// The resolved configuration as an Effect service.
import { Context, Layer } from "effect"
import { loadConfig, type LoadConfigOptions, type ResolvedConfig } from "../config/load-config.ts"

export class AppConfig extends Context.Service<AppConfig, ResolvedConfig>()(
  "@patchplane/app/AppConfig",
) {
  /** Reads patchplane.config.json (or PATCHPLANE_CONFIG) from disk. */
  static readonly layer = (options: LoadConfigOptions = {}) =>
    Layer.effect(AppConfig, loadConfig(options))

  static readonly layerValue = (config: ResolvedConfig) => Layer.succeed(AppConfig, config)
}
