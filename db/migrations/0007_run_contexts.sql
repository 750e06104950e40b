CREATE TABLE "run_contexts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_run_id" uuid NOT NULL,
	"digest" text NOT NULL,
	"prompt" text NOT NULL,
	"parts" jsonb NOT NULL,
	"omitted" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"total_chars" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_contexts_workflowRunId_unique" UNIQUE("workflow_run_id")
);
--> statement-breakpoint
ALTER TABLE "run_contexts" ADD CONSTRAINT "run_contexts_workflow_run_id_workflow_runs_id_fk" FOREIGN KEY ("workflow_run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE no action ON UPDATE no action;