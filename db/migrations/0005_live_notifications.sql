-- Live updates for every web process: any writer of runtime events or run
-- states notifies, so SSE streams need no polling and no extra app code.
CREATE OR REPLACE FUNCTION patchplane_notify_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('patchplane_events',
    json_build_object('runId', NEW.workflow_run_id, 'seq', NEW.seq)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER runtime_events_notify AFTER INSERT ON runtime_events
  FOR EACH ROW EXECUTE FUNCTION patchplane_notify_event();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION patchplane_notify_run() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
    PERFORM pg_notify('patchplane_runs',
      json_build_object('runId', NEW.id, 'state', NEW.state, 'repositoryId', NEW.repository_id)::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER workflow_runs_notify AFTER INSERT OR UPDATE ON workflow_runs
  FOR EACH ROW EXECUTE FUNCTION patchplane_notify_run();
