CREATE TYPE "public"."workflow_run_state" AS ENUM('queued', 'provisioning', 'running', 'collecting', 'reviewing', 'awaiting_approval', 'decided', 'cancelled', 'failed', 'timed_out');--> statement-breakpoint
CREATE TYPE "public"."merge_decision_state" AS ENUM('draft-pr', 'ready-for-review', 'accepted', 'rejected', 'conflict', 'manual-review');--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_userId_organizationId_unique" UNIQUE("user_id","organization_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"workos_organization_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_workosOrganizationId_unique" UNIQUE("workos_organization_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"workos_user_id" text,
	"github_login" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_workosUserId_unique" UNIQUE("workos_user_id")
);
--> statement-breakpoint
CREATE TABLE "github_installations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"installation_id" bigint NOT NULL,
	"account_login" text NOT NULL,
	"account_id" bigint NOT NULL,
	"account_type" text NOT NULL,
	"permissions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"suspended_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"organization_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_installations_installationId_unique" UNIQUE("installation_id")
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"github_installation_id" uuid NOT NULL,
	"github_repo_id" bigint NOT NULL,
	"full_name" text NOT NULL,
	"default_branch" text DEFAULT 'main' NOT NULL,
	"private" boolean DEFAULT false NOT NULL,
	"permissions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repositories_githubRepoId_unique" UNIQUE("github_repo_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_id" text NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"installation_id" bigint,
	"repository_full_name" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text DEFAULT 'received' NOT NULL,
	"error" text,
	CONSTRAINT "webhook_deliveries_deliveryId_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE TABLE "config_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"runtime" jsonb NOT NULL,
	"sandbox" jsonb NOT NULL,
	"policy_bundle_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "config_profiles_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "execution_targets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"backend" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "execution_targets_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "policy_bundles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"digest" text NOT NULL,
	"spec" jsonb NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_bundles_digest_unique" UNIQUE("digest")
);
--> statement-breakpoint
CREATE TABLE "prompt_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"prompt" text NOT NULL,
	"source_channel" text NOT NULL,
	"target_ref" text NOT NULL,
	"target_paths" jsonb,
	"expected_outcome" text,
	"policy_bundle_id" uuid,
	"hints" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"initiator" jsonb NOT NULL,
	"initiator_login" text,
	"delivery_id" text,
	"issue_number" integer,
	"comment_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prompt_requests_deliveryId_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE TABLE "pending_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"runtime_session_id" uuid,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"resolution" text,
	"resolved_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pending_inputs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"message" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "runtime_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"runtime_session_id" uuid,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runtime_events_workflowRunId_seq_unique" UNIQUE("workflow_run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "runtime_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"adapter" text NOT NULL,
	"sandbox_id" text,
	"workspace_root" text,
	"approval_policy" text NOT NULL,
	"sandbox_policy" text NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"status" text DEFAULT 'starting' NOT NULL,
	"resume" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_run_transitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"from_state" "workflow_run_state",
	"to_state" "workflow_run_state" NOT NULL,
	"reason" text,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"prompt_request_id" uuid NOT NULL,
	"repository_id" uuid NOT NULL,
	"execution_target_id" uuid,
	"config_profile_id" uuid,
	"policy_bundle_id" uuid,
	"state" "workflow_run_state" DEFAULT 'queued' NOT NULL,
	"reason" text,
	"status_comment_id" bigint,
	"check_run_id" bigint,
	"pull_request_number" integer,
	"last_event_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merge_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"policy_bundle_id" uuid,
	"weighted_score" double precision NOT NULL,
	"criteria" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" "merge_decision_state" NOT NULL,
	"decided_by" text NOT NULL,
	"issue_number" integer,
	"pull_request_number" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patch_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"runtime_session_id" uuid,
	"branch" text NOT NULL,
	"base_sha" text,
	"head_sha" text,
	"files" jsonb NOT NULL,
	"diff_summary" jsonb NOT NULL,
	"tools_used" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tests_run" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"dependency_changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"patch_set_id" uuid NOT NULL,
	"reviewer" text NOT NULL,
	"passed" boolean NOT NULL,
	"score" double precision NOT NULL,
	"comments" text DEFAULT '' NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"log_ref" text,
	"artifact_refs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_runs_patchSetId_reviewer_unique" UNIQUE("patch_set_id","reviewer")
);
--> statement-breakpoint
CREATE TABLE "issue_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"issue_number" integer NOT NULL,
	"prompt_request_id" uuid NOT NULL,
	"status_comment_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "issue_bindings_promptRequestId_unique" UNIQUE("prompt_request_id")
);
--> statement-breakpoint
CREATE TABLE "pull_request_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"pull_request_number" integer NOT NULL,
	"head_branch" text NOT NULL,
	"base_branch" text NOT NULL,
	"head_sha" text,
	"draft" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pull_request_bindings_workflowRunId_unique" UNIQUE("workflow_run_id")
);
--> statement-breakpoint
CREATE TABLE "provenance_edges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_kind" text NOT NULL,
	"from_id" uuid NOT NULL,
	"relation" text NOT NULL,
	"to_kind" text NOT NULL,
	"to_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_installations" ADD CONSTRAINT "github_installations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repositories" ADD CONSTRAINT "repositories_github_installation_id_github_installations_id_fk" FOREIGN KEY ("github_installation_id") REFERENCES "public"."github_installations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "config_profiles" ADD CONSTRAINT "config_profiles_policy_bundle_id_policy_bundles_id_fk" FOREIGN KEY ("policy_bundle_id") REFERENCES "public"."policy_bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_requests" ADD CONSTRAINT "prompt_requests_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_requests" ADD CONSTRAINT "prompt_requests_policy_bundle_id_policy_bundles_id_fk" FOREIGN KEY ("policy_bundle_id") REFERENCES "public"."policy_bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_requests" ADD CONSTRAINT "prompt_requests_delivery_id_webhook_deliveries_delivery_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("delivery_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_approvals" ADD CONSTRAINT "pending_approvals_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_approvals" ADD CONSTRAINT "pending_approvals_runtime_session_id_runtime_sessions_id_fk" FOREIGN KEY ("runtime_session_id") REFERENCES "public"."runtime_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_inputs" ADD CONSTRAINT "pending_inputs_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runtime_events" ADD CONSTRAINT "runtime_events_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runtime_events" ADD CONSTRAINT "runtime_events_runtime_session_id_runtime_sessions_id_fk" FOREIGN KEY ("runtime_session_id") REFERENCES "public"."runtime_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runtime_sessions" ADD CONSTRAINT "runtime_sessions_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_run_transitions" ADD CONSTRAINT "workflow_run_transitions_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_prompt_request_id_prompt_requests_id_fk" FOREIGN KEY ("prompt_request_id") REFERENCES "public"."prompt_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_execution_target_id_execution_targets_id_fk" FOREIGN KEY ("execution_target_id") REFERENCES "public"."execution_targets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_config_profile_id_config_profiles_id_fk" FOREIGN KEY ("config_profile_id") REFERENCES "public"."config_profiles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_policy_bundle_id_policy_bundles_id_fk" FOREIGN KEY ("policy_bundle_id") REFERENCES "public"."policy_bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_decisions" ADD CONSTRAINT "merge_decisions_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_decisions" ADD CONSTRAINT "merge_decisions_policy_bundle_id_policy_bundles_id_fk" FOREIGN KEY ("policy_bundle_id") REFERENCES "public"."policy_bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patch_sets" ADD CONSTRAINT "patch_sets_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patch_sets" ADD CONSTRAINT "patch_sets_runtime_session_id_runtime_sessions_id_fk" FOREIGN KEY ("runtime_session_id") REFERENCES "public"."runtime_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_runs" ADD CONSTRAINT "review_runs_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_runs" ADD CONSTRAINT "review_runs_patch_set_id_patch_sets_id_fk" FOREIGN KEY ("patch_set_id") REFERENCES "public"."patch_sets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_bindings" ADD CONSTRAINT "issue_bindings_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_bindings" ADD CONSTRAINT "issue_bindings_prompt_request_id_prompt_requests_id_fk" FOREIGN KEY ("prompt_request_id") REFERENCES "public"."prompt_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_request_bindings" ADD CONSTRAINT "pull_request_bindings_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_request_bindings" ADD CONSTRAINT "pull_request_bindings_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "memberships_organization_id_index" ON "memberships" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "repositories_full_name_index" ON "repositories" USING btree ("full_name");--> statement-breakpoint
CREATE INDEX "repositories_github_installation_id_index" ON "repositories" USING btree ("github_installation_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_at_index" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_repository_full_name_received_at_index" ON "webhook_deliveries" USING btree ("repository_full_name","received_at");--> statement-breakpoint
CREATE INDEX "prompt_requests_repository_id_created_at_index" ON "prompt_requests" USING btree ("repository_id","created_at");--> statement-breakpoint
CREATE INDEX "pending_approvals_workflow_run_id_resolved_at_index" ON "pending_approvals" USING btree ("workflow_run_id","resolved_at");--> statement-breakpoint
CREATE INDEX "pending_inputs_workflow_run_id_delivered_at_index" ON "pending_inputs" USING btree ("workflow_run_id","delivered_at");--> statement-breakpoint
CREATE INDEX "runtime_sessions_workflow_run_id_index" ON "runtime_sessions" USING btree ("workflow_run_id");--> statement-breakpoint
CREATE INDEX "workflow_run_transitions_workflow_run_id_created_at_index" ON "workflow_run_transitions" USING btree ("workflow_run_id","created_at");--> statement-breakpoint
CREATE INDEX "workflow_runs_created_at_id_index" ON "workflow_runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "workflow_runs_state_created_at_index" ON "workflow_runs" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "workflow_runs_repository_id_created_at_index" ON "workflow_runs" USING btree ("repository_id","created_at");--> statement-breakpoint
CREATE INDEX "workflow_runs_prompt_request_id_index" ON "workflow_runs" USING btree ("prompt_request_id");--> statement-breakpoint
CREATE INDEX "merge_decisions_workflow_run_id_created_at_index" ON "merge_decisions" USING btree ("workflow_run_id","created_at");--> statement-breakpoint
CREATE INDEX "patch_sets_workflow_run_id_index" ON "patch_sets" USING btree ("workflow_run_id");--> statement-breakpoint
CREATE INDEX "review_runs_workflow_run_id_index" ON "review_runs" USING btree ("workflow_run_id");--> statement-breakpoint
CREATE INDEX "issue_bindings_repository_id_issue_number_index" ON "issue_bindings" USING btree ("repository_id","issue_number");--> statement-breakpoint
CREATE INDEX "pull_request_bindings_repository_id_pull_request_number_index" ON "pull_request_bindings" USING btree ("repository_id","pull_request_number");--> statement-breakpoint
CREATE INDEX "provenance_edges_from_kind_from_id_index" ON "provenance_edges" USING btree ("from_kind","from_id");--> statement-breakpoint
CREATE INDEX "provenance_edges_to_kind_to_id_index" ON "provenance_edges" USING btree ("to_kind","to_id");