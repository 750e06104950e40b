// The parts of GitHub's webhook payloads PatchPlane reads, decoded with
// Schema (extra fields ignored). Anything we act on passes through here.
import { Schema } from "effect"

const Account = Schema.Struct({ login: Schema.String, id: Schema.Number, type: Schema.String })

export const RepositoryPayload = Schema.Struct({
  id: Schema.Number,
  name: Schema.String,
  full_name: Schema.String,
  owner: Schema.Struct({ login: Schema.String }),
  private: Schema.Boolean,
  default_branch: Schema.optionalKey(Schema.String),
})
export type RepositoryPayload = typeof RepositoryPayload.Type

const InstallationRef = Schema.Struct({ id: Schema.Number })

const Comment = Schema.Struct({
  id: Schema.Number,
  body: Schema.NullOr(Schema.String),
  // GitHub's webhook schema lets `user` be null (a deleted account, "ghost"):
  // the command's author is the delivery's `sender`.
  user: Schema.NullOr(Account),
  html_url: Schema.String,
})

export const IssueCommentCreated = Schema.Struct({
  action: Schema.Literal("created"),
  comment: Comment,
  issue: Schema.Struct({
    number: Schema.Number,
    title: Schema.String,
    pull_request: Schema.optionalKey(Schema.Struct({ url: Schema.String })),
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

export const IssuesOpened = Schema.Struct({
  action: Schema.Literal("opened"),
  issue: Schema.Struct({
    number: Schema.Number,
    title: Schema.String,
    body: Schema.NullOr(Schema.String),
    html_url: Schema.String,
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

const PullRequestSide = Schema.Struct({
  sha: Schema.String,
  ref: Schema.String,
  repo: Schema.NullOr(Schema.Struct({ full_name: Schema.String })),
})

export const PullRequestReviewSubmitted = Schema.Struct({
  action: Schema.Literal("submitted"),
  review: Schema.Struct({
    id: Schema.Number,
    body: Schema.NullOr(Schema.String),
    /** Lower case in webhooks: approved, changes_requested, commented, dismissed. */
    state: Schema.String,
    user: Schema.NullOr(Account),
  }),
  pull_request: Schema.Struct({
    number: Schema.Number,
    state: Schema.String,
    head: PullRequestSide,
    base: Schema.Struct({ ref: Schema.String }),
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

export const WorkflowRunCompleted = Schema.Struct({
  action: Schema.Literal("completed"),
  workflow_run: Schema.Struct({
    id: Schema.Number,
    name: Schema.NullOr(Schema.String),
    path: Schema.String,
    head_sha: Schema.String,
    head_branch: Schema.NullOr(Schema.String),
    conclusion: Schema.NullOr(Schema.String),
    run_attempt: Schema.Number,
    pull_requests: Schema.Array(Schema.Struct({ number: Schema.Number })),
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

/** `issues.closed` and `pull_request.closed`: the conversation's number. */
export const ConversationClosed = Schema.Struct({
  action: Schema.Literal("closed"),
  number: Schema.optionalKey(Schema.Number),
  issue: Schema.optionalKey(Schema.Struct({ number: Schema.Number })),
  pull_request: Schema.optionalKey(
    Schema.Struct({
      number: Schema.Number,
      merged: Schema.optionalKey(Schema.NullOr(Schema.Boolean)),
    }),
  ),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

export const CheckRunRerequested = Schema.Struct({
  action: Schema.Literal("rerequested"),
  check_run: Schema.Struct({
    id: Schema.Number,
    name: Schema.String,
    external_id: Schema.NullOr(Schema.String),
    head_sha: Schema.String,
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

export const ReviewCommentCreated = Schema.Struct({
  action: Schema.Literal("created"),
  comment: Comment,
  pull_request: Schema.Struct({
    number: Schema.Number,
    head: PullRequestSide,
    base: PullRequestSide,
  }),
  repository: RepositoryPayload,
  installation: Schema.optionalKey(InstallationRef),
  sender: Account,
})

const InstalledRepo = Schema.Struct({
  id: Schema.Number,
  full_name: Schema.String,
  private: Schema.Boolean,
})

/**
 * The account an App is installed on: a user or organization, or an
 * enterprise (no `login` or `type`, a `slug` instead), or null, as GitHub's
 * webhook schema allows.
 */
const InstalledAccount = Schema.NullOr(
  Schema.Struct({
    id: Schema.Number,
    login: Schema.optionalKey(Schema.String),
    type: Schema.optionalKey(Schema.String),
    slug: Schema.optionalKey(Schema.String),
  }),
)

const Installation = Schema.Struct({
  id: Schema.Number,
  account: InstalledAccount,
  permissions: Schema.Record(Schema.String, Schema.String),
  events: Schema.Array(Schema.String),
})

export const InstallationEvent = Schema.Struct({
  action: Schema.String,
  installation: Installation,
  repositories: Schema.optionalKey(Schema.Array(InstalledRepo)),
})

export const InstallationRepositoriesEvent = Schema.Struct({
  action: Schema.Literals(["added", "removed"]),
  installation: Installation,
  repositories_added: Schema.Array(InstalledRepo),
  repositories_removed: Schema.Array(
    Schema.Struct({ id: Schema.Number, full_name: Schema.String }),
  ),
})

/** Enough of any payload to fill the delivery row. */
export const DeliveryEnvelope = Schema.Struct({
  action: Schema.optionalKey(Schema.String),
  installation: Schema.optionalKey(InstallationRef),
  repository: Schema.optionalKey(Schema.Struct({ full_name: Schema.String })),
})
