// What GitHub refuses that its OpenAPI description does not express: body
// sizes, plan features, immutable states and the workflow-file push rule.
// Each rule cites where GitHub documents it or where its users met it.
import { chmod, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { HttpError, validationFailed } from "./router.ts"

/**
 * Issue, comment and pull request bodies: GitHub answers 422 "Body is too long
 * (maximum is 65536 characters)" (e.g. peter-evans/create-or-update-comment#54,
 * marocchino/sticky-pull-request-comment#158).
 */
export const MAX_BODY = 65_536

// Check run output limits (summary and text at most 65,535 characters, at
// most 50 annotations per request) are in GitHub's OpenAPI description
// (maxLength / maxItems), so conformance.ts refuses them with GitHub's wording.

export const refuseLongBody = (resource: string, body: string | null | undefined) => {
  if (body !== null && body !== undefined && body.length > MAX_BODY)
    throw validationFailed([
      {
        resource,
        code: "custom",
        field: "body",
        message: `body is too long (maximum is ${MAX_BODY} characters)`,
      },
    ])
}

/**
 * A completed check run's status and conclusion are final: GitHub keeps them
 * (Mergifyio/mergify#1989 "GitHub doesn't allow to change the status of a
 * completed check_runs"; lyft/atlantis#265). Apps create a new run instead;
 * GitHub shows the newest run of a name. The wording of this 422 is ours.
 */
export const refuseReopenedCheck = (
  current: { readonly status: string; readonly conclusion: string | null },
  body: unknown,
) => {
  if (current.status !== "completed" || typeof body !== "object" || body === null) return
  const { status, conclusion } = body as { status?: unknown; conclusion?: unknown }
  const changes =
    (status !== undefined && status !== "completed") ||
    (conclusion !== undefined && conclusion !== current.conclusion)
  if (changes)
    throw new HttpError(422, {
      message: "Invalid request.\n\nA completed check run's status and conclusion cannot change.",
    })
}

/**
 * Draft pull requests exist in public repositories and, for private ones, on
 * paid plans only ("Draft pull requests are available in public repositories
 * with GitHub Free ... and in public and private repositories with GitHub
 * Team and GitHub Enterprise Cloud", docs.github.com "About pull requests").
 */
export const refuseDraft = () => {
  throw validationFailed([
    {
      resource: "PullRequest",
      code: "custom",
      message: "Draft pull requests are not supported in this repository.",
    },
  ])
}

/**
 * GitHub refuses a push by a GitHub App token that creates or changes a file
 * under `.github/workflows/` unless the token has `workflows: write`:
 * `! [remote rejected] … (refusing to allow a GitHub App to create or update
 * workflow `.github/workflows/x.yml` without `workflows` permission)`
 * (peter-evans/create-pull-request#1713, JetBrains/junie-workflows#36).
 * The stand-in enforces it in a pre-receive hook, so git prints GitHub's
 * sentence as `remote:` and the ref as "pre-receive hook declined"; the
 * reason text is GitHub's either way. The server passes the token's
 * permission in STAND_IN_WORKFLOWS.
 */
const PRE_RECEIVE = `#!/bin/sh
[ "$STAND_IN_WORKFLOWS" = "write" ] && exit 0
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  [ "$new" = "$zero" ] && continue
  if [ "$old" = "$zero" ]; then
    files=$(git log --format= --name-only "$new" --not --all -- .github/workflows)
  else
    files=$(git diff --name-only "$old" "$new" -- .github/workflows)
  fi
  for file in $files; do
    echo "refusing to allow a GitHub App to create or update workflow \\\`$file\\\` without \\\`workflows\\\` permission" >&2
    status=1
    break
  done
done
exit $status
`

export const installPushRules = async (bareDir: string): Promise<void> => {
  const hook = join(bareDir, "hooks", "pre-receive")
  await writeFile(hook, PRE_RECEIVE)
  await chmod(hook, 0o755)
}

/**
 * GitHub's secondary rate limits, as a FailureRule's answer: 403 or 429 with
 * the "secondary rate limit" message, with or without `retry-after`
 * (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits:
 * "you will receive a 403 or 429 response"; "If the retry-after response
 * header is present, you should not retry your request until after that many
 * seconds has elapsed. ... Otherwise, you should wait for at least one minute").
 */
export const secondaryRateLimit = (
  variant: "403" | "403-retry-after" | "429",
  retryAfterSeconds = 1,
) => ({
  status: variant === "429" ? 429 : 403,
  headers: variant === "403" ? {} : { "retry-after": String(retryAfterSeconds) },
  body: {
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
    documentation_url:
      "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    status: variant === "429" ? "429" : "403",
  },
})
