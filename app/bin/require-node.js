// Loaded with `node --import` before any TypeScript file (see the root
// package.json scripts): plain JavaScript, so an older Node that cannot run
// our .ts sources at all still reaches this check and says what to do,
// instead of dying with ERR_UNKNOWN_FILE_EXTENSION ".ts".
const REQUIRED = [22, 11]
const HOW =
  "Install Node.js 24 LTS: `nvm install` or `fnm use` in this folder (reads .nvmrc / .node-version), or https://nodejs.org/en/download"

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
const tooOld = major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])
if (tooOld) {
  console.error(
    `PatchPlane needs Node.js ${REQUIRED.join(".")} or newer (24 LTS recommended); found ${process.version}. ${HOW}`,
  )
  process.exit(1)
}
// 22.11–22.17 run TypeScript only with a flag; later versions by default.
if (!process.features.typescript) {
  console.error(
    `PatchPlane runs its TypeScript sources directly; Node.js ${process.version} needs NODE_OPTIONS=--experimental-strip-types for that. ${HOW}`,
  )
  process.exit(1)
}
