// Repository reads: metadata, collaborator permission, file contents, refs,
// commits and comparisons, all read live from the bare repository.
import { type Context, requireRepo } from "./context.ts"
import {
  changedFiles,
  commitInfo,
  commitsBetween,
  diffText,
  mergeBase,
  readPath,
  resolveCommit,
  branchSha,
} from "./repo-git.ts"
import { HttpError, json, notFound, route, type ApiRequest, type Route } from "./router.ts"
import { commitShape, contentEntryShape, fileShape, repoShape, userShape } from "./shapes.ts"
import type { Repository, Role } from "./state.ts"

const metadata = ["metadata", "read"] as const
const contents = ["contents", "read"] as const

/** True when the client asked for a raw diff (`Accept: application/vnd.github[.v3].diff`). */
export const wantsDiff = (req: ApiRequest): boolean =>
  /application\/vnd\.github(\.v3)?\.diff/.test(String(req.headers.accept ?? ""))

export const diffReply = (text: string) =>
  json(200, text, { "content-type": "application/vnd.github.diff; charset=utf-8" })

const permissionOf = (role: Role) =>
  role === "maintain" ? "write" : role === "triage" ? "read" : role

const commitOr422 = async (repo: Repository, ref: string) => {
  const sha = await resolveCommit(repo.dir, ref)
  if (sha === null) throw new HttpError(422, { message: `No commit found for SHA: ${ref}` })
  return sha
}

export const repoRoutes = (ctx: Context): ReadonlyArray<Route> => {
  const { store, urls } = ctx
  return [
    route("GET", "/repos/:owner/:repo", (req) => {
      const repo = requireRepo(ctx, req, metadata)
      return json(200, repoShape(urls, repo))
    }),
    route("GET", "/repos/:owner/:repo/collaborators/:user/permission", (req) => {
      const repo = requireRepo(ctx, req, metadata)
      const login = req.params.user ?? ""
      const role = store.role(repo, login)
      // Not a collaborator: GitHub answers 404 ("is not a user" / not found).
      if (role === "none") throw notFound()
      const permission = permissionOf(role)
      const user = store.user(login)
      return json(200, {
        permission,
        role_name: role,
        user: {
          ...userShape(urls, user),
          permissions: {
            admin: role === "admin",
            maintain: role === "admin" || role === "maintain",
            push: permission === "admin" || permission === "write",
            triage: role !== "read",
            pull: true,
          },
          role_name: role,
        },
      })
    }),
    route("GET", "/repos/:owner/:repo/contents", (req) => contentsReply(req, "")),
    route("GET", "/repos/:owner/:repo/contents/*path", (req) =>
      contentsReply(req, req.params.path ?? ""),
    ),
    route("GET", "/repos/:owner/:repo/git/ref/*ref", async (req) => {
      const repo = requireRepo(ctx, req, contents)
      const ref = `refs/${req.params.ref ?? ""}`
      const sha = await resolveCommit(repo.dir, ref)
      if (sha === null || !ref.startsWith("refs/heads/")) throw notFound()
      return json(200, {
        ref,
        node_id: `REF_${Buffer.from(`${repo.id}:${ref}`).toString("base64url")}`,
        url: `${urls.api}/repos/${repo.fullName}/git/${ref}`,
        object: {
          sha,
          type: "commit",
          url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
        },
      })
    }),
    route("GET", "/repos/:owner/:repo/branches/:branch", async (req) => {
      const repo = requireRepo(ctx, req, contents)
      const name = req.params.branch ?? ""
      const sha = await branchSha(repo.dir, name)
      if (sha === null) throw new HttpError(404, { message: "Branch not found" })
      const info = await commitInfo(repo.dir, sha)
      return json(200, {
        name,
        commit: info === null ? { sha } : commitShape(urls, repo, info, null),
        protected: false,
        // What GitHub answers for a branch without protection rules.
        protection: {
          enabled: false,
          required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
        },
        protection_url: `${urls.api}/repos/${repo.fullName}/branches/${name}/protection`,
        _links: {
          self: `${urls.api}/repos/${repo.fullName}/branches/${name}`,
          html: `${urls.web}/${repo.fullName}/tree/${name}`,
        },
      })
    }),
    route("GET", "/repos/:owner/:repo/commits/:ref", async (req) => {
      const repo = requireRepo(ctx, req, contents)
      const sha = await commitOr422(repo, req.params.ref ?? "")
      const info = await commitInfo(repo.dir, sha)
      if (info === null) throw notFound()
      const parent = info.parents[0]
      if (wantsDiff(req)) return diffReply(await diffText(repo.dir, parent ?? emptyTree, sha))
      const files = await changedFiles(repo.dir, parent ?? emptyTree, sha)
      return json(200, commitShape(urls, repo, info, files))
    }),
    route("GET", "/repos/:owner/:repo/compare/*basehead", async (req) => {
      const repo = requireRepo(ctx, req, contents)
      const spec = req.params.basehead ?? ""
      const split = spec.indexOf("...")
      if (split === -1) throw notFound()
      const base = await resolveCommit(repo.dir, spec.slice(0, split))
      const head = await resolveCommit(repo.dir, spec.slice(split + 3))
      if (base === null || head === null) throw notFound()
      const mb = await mergeBase(repo.dir, base, head)
      if (mb === null) throw notFound()
      // A three-dot compare diffs the merge base against head, as GitHub does.
      if (wantsDiff(req)) return diffReply(await diffText(repo.dir, mb, head))
      const ahead = await commitsBetween(repo.dir, base, head)
      const behind = await commitsBetween(repo.dir, head, base)
      const infos = await Promise.all(ahead.slice(0, 250).map((sha) => commitInfo(repo.dir, sha)))
      const [baseInfo, mbInfo] = await Promise.all([
        commitInfo(repo.dir, base),
        commitInfo(repo.dir, mb),
      ])
      const files = await changedFiles(repo.dir, mb, head)
      const status =
        ahead.length === 0 && behind.length === 0
          ? "identical"
          : behind.length === 0
            ? "ahead"
            : ahead.length === 0
              ? "behind"
              : "diverged"
      const html = `${urls.web}/${repo.fullName}/compare/${spec}`
      return json(200, {
        url: `${urls.api}/repos/${repo.fullName}/compare/${spec}`,
        html_url: html,
        permalink_url: `${urls.web}/${repo.fullName}/compare/${base}...${head}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: baseInfo === null ? null : commitShape(urls, repo, baseInfo, null),
        merge_base_commit: mbInfo === null ? null : commitShape(urls, repo, mbInfo, null),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: infos.flatMap((info) =>
          info === null ? [] : [commitShape(urls, repo, info, null)],
        ),
        files: files.map((file) => fileShape(urls, repo, head, file)),
      })
    }),
  ]

  async function contentsReply(req: ApiRequest, path: string) {
    const repo = requireRepo(ctx, req, contents)
    const ref = req.query.get("ref") ?? repo.defaultBranch
    const sha = await resolveCommit(repo.dir, ref)
    if (sha === null) throw new HttpError(404, { message: `No commit found for the ref ${ref}` })
    const found = await readPath(repo.dir, sha, path)
    if (found === null) throw notFound()
    if (found.kind === "dir")
      return json(
        200,
        found.entries.map((entry) => contentEntryShape(urls, repo, ref, entry)),
      )
    if (/application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? "")))
      return json(200, found.content.toString("utf8"), {
        "content-type": "application/vnd.github.raw; charset=utf-8",
      })
    // GitHub wraps the base64 at 60 characters.
    const encoded = found.content.toString("base64").replace(/.{60}/g, "$&\n")
    return json(200, {
      ...contentEntryShape(urls, repo, ref, found.entry),
      encoding: "base64",
      content: encoded.endsWith("\n") || encoded === "" ? encoded : `${encoded}\n`,
    })
  }
}

// git's well-known empty tree: the "parent" of a root commit.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
