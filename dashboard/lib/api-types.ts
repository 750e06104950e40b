// The JSON the control plane's API answers with and the bodies it takes, as
// the dashboard reads and sends them: the encoded side of the API's Schemas
// in @patchplane/domain (`Api`), which the server's answers are typed by, so
// dates arrive as ISO strings. Types only: no Schema code reaches the browser.
import type { Api } from "@patchplane/domain"

export type {
  FileChange,
  Finding,
  RunContextPart,
  RuntimeEventPayload,
  WorkflowRunState,
} from "@patchplane/domain"

/** An API Schema's shape in JSON. */
type Json<S extends { readonly Encoded: unknown }> = S["Encoded"]

export type ApiErrorBody = Json<typeof Api.ApiErrorBody>

export type Role = Api.Role
export type Caller = Json<typeof Api.Caller>
export type SessionInfo = Json<typeof Api.SessionInfo>
export type ControlState = Json<typeof Api.ControlState>
export type PauseBody = Json<typeof Api.PauseBody>
export type KillSwitchAnswer = Json<typeof Api.Paused> | Json<typeof Api.Resumed>

export type RunRow = Json<typeof Api.RunRow>
export type RunPage = Json<typeof Api.RunPage>
export type RunSummary = Json<typeof Api.RunSummary>
export type RunSummaries = Json<typeof Api.RunSummaries>
export type RunStateChange = Json<typeof Api.RunStateChange>

export type StartRunBody = Json<typeof Api.StartRunBody>
export type StartedRun = Json<typeof Api.StartedRun>
export type ReasonBody = Json<typeof Api.ReasonBody>
export type SteerBody = Json<typeof Api.SteerBody>
export type RunActionAnswer = Json<typeof Api.RunActionAnswer>

export type PromptRequestRow = Json<typeof Api.PromptRequestRow>
export type RepositoryRow = Json<typeof Api.RepositoryRow>
export type SessionRow = Json<typeof Api.SessionRow>
export type RuntimeEventRow = Json<typeof Api.RuntimeEventRow>
export type PatchSetRow = Json<typeof Api.PatchSetRow>
export type ReviewRow = Json<typeof Api.ReviewRow>
export type DecisionRow = Json<typeof Api.DecisionRow>
export type TransitionRow = Json<typeof Api.TransitionRow>
export type ApprovalRow = Json<typeof Api.ApprovalRow>
/** A GitHub write for the run that gave up after its retries. */
export type PublicationFailureRow = Json<typeof Api.PublicationFailureRow>
export type RunDetail = Json<typeof Api.RunDetail>
export type EarlierEvents = Json<typeof Api.EarlierEvents>

export type DiffAnswer = Json<typeof Api.DiffAnswer>
export type RunUsage = Json<typeof Api.RunUsage>
export type UsageLine = Json<typeof Api.UsageLine>
export type UsageReport = Json<typeof Api.UsageReport>
export type GraphNode = Json<typeof Api.GraphNode>
export type GraphEdge = Json<typeof Api.GraphEdge>
export type ProvenanceGraph = Json<typeof Api.ProvenanceGraph>
export type RunContext = Json<typeof Api.RunContext>
export type RunContextAnswer = Json<typeof Api.RunContextAnswer>
/** The chain of rounds a run is in (GET /api/runs/:id/rounds). */
export type RunRounds = Json<typeof Api.RunRounds>

export type ConnectedRepository = Json<typeof Api.ConnectedRepository>
export type Installation = Json<typeof Api.Installation>
export type RepositoriesAnswer = Json<typeof Api.RepositoriesAnswer>
export type PolicyAnswer = Json<typeof Api.PolicyAnswer>

export type Delivery = Json<typeof Api.Delivery>
export type DeliveryPage = Json<typeof Api.DeliveryPage>
export type ReplayAnswer = Json<typeof Api.ReplayAnswer>

export type ManifestInfo = Json<typeof Api.ManifestInfo>
export type ManifestStartBody = Json<typeof Api.ManifestStartBody>
export type ManifestStart = Json<typeof Api.ManifestStart>
