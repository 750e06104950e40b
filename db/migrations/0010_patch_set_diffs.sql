CREATE TABLE "patch_set_diffs" (
	"patch_set_id" uuid PRIMARY KEY NOT NULL,
	"diff" text NOT NULL,
	"bytes" integer NOT NULL,
	"truncated" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "patch_set_diffs" ADD CONSTRAINT "patch_set_diffs_patch_set_id_patch_sets_id_fk" FOREIGN KEY ("patch_set_id") REFERENCES "public"."patch_sets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A PatchSet's diff is what the agent produced: written once, with the PatchSet, never rewritten.
CREATE TRIGGER patch_set_diffs_append_only BEFORE UPDATE OR DELETE ON patch_set_diffs
  FOR EACH ROW EXECUTE FUNCTION patchplane_refuse_rewrite();
