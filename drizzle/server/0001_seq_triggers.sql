-- Change ordering for pull ("no skipped rows"): every write transaction holds one
-- transaction-scoped advisory lock (key 7310027331, WRITERS_LOCK_KEY in src/server/db/writeLock.ts)
-- while it takes sequence values, so seqs are handed out in commit order: a reader that has
-- seen seq N can never later find a newly committed row with seq <= N. The server takes the
-- lock first thing in every write transaction; the triggers take it again (re-entrant) so that
-- a writer that forgot, such as an operator in psql, cannot break the order.
CREATE FUNCTION afh_stamp_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7310027331);
  NEW.seq := nextval('change_seq');
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7310027331);
  INSERT INTO tombstone (seq, table_name, row_id) VALUES (nextval('change_seq'), TG_TABLE_NAME, OLD.id);
  RETURN OLD;
END;
$$;--> statement-breakpoint
CREATE TRIGGER user_seq BEFORE INSERT OR UPDATE ON "user" FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER cohort_seq BEFORE INSERT OR UPDATE ON cohort FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER enrollment_seq BEFORE INSERT OR UPDATE ON enrollment FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER user_action_seq BEFORE INSERT OR UPDATE ON user_action FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER champion_seq BEFORE INSERT OR UPDATE ON champion FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER champion_stage_change_seq BEFORE INSERT OR UPDATE ON champion_stage_change FOR EACH ROW EXECUTE FUNCTION afh_stamp_seq();--> statement-breakpoint
CREATE TRIGGER user_tombstone AFTER DELETE ON "user" FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
CREATE TRIGGER cohort_tombstone AFTER DELETE ON cohort FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
CREATE TRIGGER enrollment_tombstone AFTER DELETE ON enrollment FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
CREATE TRIGGER user_action_tombstone AFTER DELETE ON user_action FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
CREATE TRIGGER champion_tombstone AFTER DELETE ON champion FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
CREATE TRIGGER champion_stage_change_tombstone AFTER DELETE ON champion_stage_change FOR EACH ROW EXECUTE FUNCTION afh_tombstone();--> statement-breakpoint
-- Wire timestamps: UTC ISO-8601 with milliseconds, the same string from every code path.
CREATE FUNCTION afh_iso(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;--> statement-breakpoint
INSERT INTO sync_meta (id, tombstone_floor) VALUES (1, 0);
