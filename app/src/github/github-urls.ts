// Where a GitHub host serves people and git, derived from its API URL — the one
// setting GitHub Enterprise Server users (and the local stand-in) change.
/** https://api.github.com → https://github.com; https://HOST/api/v3 → https://HOST. */
export const githubWebUrl = (apiUrl: string): string => {
  const url = new URL(apiUrl)
  if (url.hostname === "api.github.com") return "https://github.com"
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, "")}`.replace(
    /\/$/,
    "",
  )
}

export const pullRequestWebUrl = (apiUrl: string) => {
  const web = githubWebUrl(apiUrl)
  return (fullName: string, pullNumber: number) => `${web}/${fullName}/pull/${pullNumber}`
}

export const cloneUrl = (apiUrl: string, fullName: string) =>
  `${githubWebUrl(apiUrl)}/${fullName}.git`
