-- Provenance edges, runtime events and run transitions are history: they may
-- be appended to, never rewritten. TRUNCATE stays possible for test teardown.
CREATE OR REPLACE FUNCTION patchplane_refuse_rewrite() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER provenance_edges_append_only BEFORE UPDATE OR DELETE ON provenance_edges
  FOR EACH ROW EXECUTE FUNCTION patchplane_refuse_rewrite();
--> statement-breakpoint
CREATE TRIGGER runtime_events_append_only BEFORE UPDATE OR DELETE ON runtime_events
  FOR EACH ROW EXECUTE FUNCTION patchplane_refuse_rewrite();
--> statement-breakpoint
CREATE TRIGGER workflow_run_transitions_append_only BEFORE UPDATE OR DELETE ON workflow_run_transitions
  FOR EACH ROW EXECUTE FUNCTION patchplane_refuse_rewrite();
