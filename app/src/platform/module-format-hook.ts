// Start-up memory: drizzle-orm's package.json carries a 174 KB `exports` map,
// and Node (24.x) parses it again for every one of its ~450 module files while
// deciding each file's format (getPackageScopeConfig spreads the lazily parsed
// fields). That is ~170 MB of garbage during start, which V8 keeps as
// committed heap: ~90 MB more idle RSS per process, and seconds of start-up
// CPU. Its files are all ES modules ("type": "module"), so relative `.js`
// imports between them are resolved here, with their format, without the
// lookup. Everything else resolves as Node does.
import * as nodeModule from "node:module"

const PACKAGE_DIR = "/node_modules/drizzle-orm/"

/** Installs the hook; call before the first import that reaches drizzle-orm. */
export const installModuleFormatHook = (): void => {
  // module.registerHooks exists from Node 22.15 / 23.5; older ones just load as before.
  if (typeof nodeModule.registerHooks !== "function") return
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL
      if (
        parent?.includes(PACKAGE_DIR) === true &&
        (specifier.startsWith("./") || specifier.startsWith("../")) &&
        specifier.endsWith(".js")
      ) {
        const url = new URL(specifier, parent)
        if (url.href.includes(PACKAGE_DIR))
          return { url: url.href, format: "module", shortCircuit: true }
      }
      return nextResolve(specifier, context)
    },
  })
}
