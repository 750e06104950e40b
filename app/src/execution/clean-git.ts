// Git for the control plane's own acts on the agent's work (the push): a
// process that reads no configuration but what is passed here. The agent can
// write its home (~/.gitconfig, ~/.config/git) and its checkout's .git, and
// git would otherwise take hooks, `url.*.insteadOf`, `http.proxy`, templates,
// credential helpers and `uploadpack.packObjectsHook` from there — code and
// redirections running where the token and the network are.

export const cleanGitEnv = (home: string): Record<string, string> => ({
  HOME: home,
  XDG_CONFIG_HOME: home,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_SYSTEM: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
  // No template directory: a fresh repository gets no hooks, from anywhere.
  GIT_TEMPLATE_DIR: "",
})

/** The one transport `url` needs, and no other (git's protocol.allow, most restrictive first). */
export const transportOf = (url: string): "https" | "http" | "file" =>
  /^https:\/\//i.test(url) ? "https" : /^http:\/\//i.test(url) ? "http" : "file"

/** `-c` options for every git command of the push: no hooks, no helpers, one transport. */
export const cleanGitFlags = (transport: "https" | "http" | "file"): Array<string> =>
  [
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "credential.helper=",
    "protocol.allow=never",
    `protocol.${transport}.allow=always`,
    "http.followRedirects=false",
  ].flatMap((setting) => ["-c", setting])
