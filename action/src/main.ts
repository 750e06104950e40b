// Entry point GitHub runs (bundled to dist/index.js): exit 0 when the review
// passes and was reported, 1 otherwise; a crash is an annotated error.
import { run } from "./run.ts"
import { annotation, stdout } from "./toolkit.ts"

try {
  process.exitCode = await run(process.env, stdout)
} catch (error) {
  stdout.write(
    annotation("error", error instanceof Error ? error.message : String(error), {
      title: "PatchPlane",
    }),
  )
  process.exitCode = 1
}
