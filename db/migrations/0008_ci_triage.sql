CREATE TABLE "ci_triage" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"github_run_id" bigint NOT NULL,
	"workflow_name" text NOT NULL,
	"head_sha" text NOT NULL,
	"outcome" text DEFAULT 'rerun-requested' NOT NULL,
	"failure" text,
	"repair_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ci_triage_githubRunId_unique" UNIQUE("github_run_id")
);
--> statement-breakpoint
ALTER TABLE "ci_triage" ADD CONSTRAINT "ci_triage_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ci_triage" ADD CONSTRAINT "ci_triage_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ci_triage" ADD CONSTRAINT "ci_triage_repair_run_id_workflow_runs_id_fk" FOREIGN KEY ("repair_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ci_triage_workflow_run_id_index" ON "ci_triage" USING btree ("workflow_run_id");