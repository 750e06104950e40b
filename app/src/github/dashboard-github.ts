// The GitHub reads the dashboard needs beyond the GitHub service: a repo's
// policy file, the diff between a PatchSet's commits (for PatchSets recorded
// before their diff was stored with them), the App's public page,
// and asking GitHub to redeliver a webhook (replay).
import { githubWebUrl } from "./github-urls.ts"
import type { Octokit, Probot } from "./probot.ts"

export interface DashboardGitHub {
  /** https://github.com, or the GitHub Enterprise Server host. */
  readonly webUrl: string
  /** The App's installation page, for installing it on more repositories. */
  installUrl(): Promise<string | null>
  /** A file's text at a ref, or null when it does not exist. */
  readFile(
    installationId: number,
    fullName: string,
    path: string,
    ref: string,
  ): Promise<string | null>
  /** The unified diff between two commits of a repository. */
  compareDiff(installationId: number, fullName: string, base: string, head: string): Promise<string>
  /** Asks GitHub to send a webhook delivery again (by its X-GitHub-Delivery id). */
  redeliver(deliveryGuid: string): Promise<"redelivered" | "not_found">
}

const status = (error: unknown) => (error as { status?: number }).status

const split = (fullName: string) => {
  const [owner = "", repo = ""] = fullName.split("/")
  return { owner, repo }
}

export const createDashboardGitHub = (probot: Probot, apiUrl: string): DashboardGitHub => {
  const app = async () => (await probot.auth()) as Octokit
  const installation = async (id: number) => (await probot.auth(id)) as Octokit
  let slug: Promise<string | null> | null = null
  const webUrl = githubWebUrl(apiUrl)
  return {
    webUrl,
    installUrl: async () => {
      slug ??= app()
        .then(async (octokit) => (await octokit.rest.apps.getAuthenticated()).data?.slug ?? null)
        .catch(() => {
          slug = null // try again next time
          return null
        })
      const name = await slug
      return name === null ? null : `${webUrl}/apps/${name}/installations/new`
    },
    readFile: async (installationId, fullName, path, ref) => {
      const octokit = await installation(installationId)
      try {
        const { data } = await octokit.rest.repos.getContent({ ...split(fullName), path, ref })
        if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null
        return Buffer.from(data.content, "base64").toString("utf8")
      } catch (error) {
        if (status(error) === 404) return null
        throw error
      }
    },
    compareDiff: async (installationId, fullName, base, head) => {
      const octokit = await installation(installationId)
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        ...split(fullName),
        basehead: `${base}...${head}`,
        mediaType: { format: "diff" },
      })
      return data as unknown as string
    },
    redeliver: async (guid) => {
      const octokit = await app()
      // GitHub redelivers by its numeric id; find it among recent deliveries.
      let cursor: string | undefined
      for (let page = 0; page < 10; page++) {
        const response = await octokit.request("GET /app/hook/deliveries", {
          per_page: 100,
          ...(cursor === undefined ? {} : { cursor }),
        })
        const found = response.data.find((d) => d.guid === guid)
        if (found !== undefined) {
          await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", {
            delivery_id: Number(found.id),
          })
          return "redelivered"
        }
        cursor = /<[^>]*[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(
          response.headers.link ?? "",
        )?.[1]
        if (cursor === undefined || response.data.length === 0) break
      }
      return "not_found"
    },
  }
}
