CREATE TABLE "coordinator_scope" (
	"user_id" text PRIMARY KEY NOT NULL,
	"all" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coordinator_scope_cohort" (
	"user_id" text NOT NULL,
	"cohort_id" text NOT NULL,
	CONSTRAINT "coordinator_scope_cohort_pk" PRIMARY KEY("user_id","cohort_id")
);
--> statement-breakpoint
CREATE TABLE "scope_event" (
	"seq" bigint NOT NULL,
	"coordinator_id" text NOT NULL,
	"member_id" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scope_event_pk" PRIMARY KEY("seq"),
	CONSTRAINT "scope_event_kind" CHECK (kind IN ('enter', 'leave'))
);
--> statement-breakpoint
CREATE TABLE "scope_member" (
	"coordinator_id" text NOT NULL,
	"member_id" text NOT NULL,
	CONSTRAINT "scope_member_pk" PRIMARY KEY("coordinator_id","member_id")
);
--> statement-breakpoint
ALTER TABLE "coordinator_scope" ADD CONSTRAINT "coordinator_scope_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordinator_scope_cohort" ADD CONSTRAINT "coordinator_scope_cohort_scope_fk" FOREIGN KEY ("user_id") REFERENCES "public"."coordinator_scope"("user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordinator_scope_cohort" ADD CONSTRAINT "coordinator_scope_cohort_cohort_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohort"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coordinator_scope_cohort_cohort_idx" ON "coordinator_scope_cohort" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "scope_event_coordinator_seq_idx" ON "scope_event" USING btree ("coordinator_id","seq");--> statement-breakpoint
CREATE INDEX "scope_event_created_idx" ON "scope_event" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "scope_member_member_idx" ON "scope_member" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "enrollment_cohort_idx" ON "enrollment" USING btree ("cohort_id");--> statement-breakpoint
-- Scoped sync (issue 13, docs/protocol.md "Scopes"). scope_member holds, for every coordinator
-- scoped by cohort, the members in scope now: a member is in scope when one of their enrollments
-- or champion rows has a cohort_id in the scope. Every pair that enters or leaves appends a
-- scope_event with a seq from change_seq, taken under the writers' lock like every row's seq, so
-- scope changes sit in the same total order as row changes (the pull cursor's order).
-- Coordinators with `all` (and superadmins) have no scope_member rows: their pull is unfiltered.
CREATE FUNCTION afh_scope_sync_members(members text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF members IS NULL OR cardinality(members) = 0 THEN RETURN; END IF;
  -- Nobody scoped by cohort and nobody held: nothing to keep (bulk ingest before any scope exists).
  IF NOT EXISTS (SELECT 1 FROM coordinator_scope_cohort) AND NOT EXISTS (SELECT 1 FROM scope_member) THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(7310027331);
  WITH m AS (SELECT DISTINCT x AS member_id FROM unnest(members) x),
  desired AS (
    SELECT DISTINCT sc.user_id AS coordinator_id, mc.member_id
    FROM (SELECT e.user_id AS member_id, e.cohort_id FROM enrollment e JOIN m ON m.member_id = e.user_id WHERE e.cohort_id IS NOT NULL
          UNION
          SELECT c.user_id, c.cohort_id FROM champion c JOIN m ON m.member_id = c.user_id WHERE c.cohort_id IS NOT NULL) mc
    JOIN coordinator_scope_cohort sc ON sc.cohort_id = mc.cohort_id
    JOIN coordinator_scope s ON s.user_id = sc.user_id AND NOT s."all"
  ),
  gone AS (
    DELETE FROM scope_member sm USING m
    WHERE sm.member_id = m.member_id
      AND NOT EXISTS (SELECT 1 FROM desired d WHERE d.coordinator_id = sm.coordinator_id AND d.member_id = sm.member_id)
    RETURNING sm.coordinator_id, sm.member_id
  ),
  came AS (
    INSERT INTO scope_member (coordinator_id, member_id) SELECT coordinator_id, member_id FROM desired
    ON CONFLICT DO NOTHING RETURNING coordinator_id, member_id
  )
  INSERT INTO scope_event (seq, coordinator_id, member_id, kind)
  SELECT nextval('change_seq'), coordinator_id, member_id, kind
  FROM (SELECT coordinator_id, member_id, 'leave' AS kind FROM gone UNION ALL SELECT coordinator_id, member_id, 'enter' FROM came) ev;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_scope_sync_coordinators(coords text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF coords IS NULL OR cardinality(coords) = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(7310027331);
  WITH k AS (SELECT DISTINCT x AS coordinator_id FROM unnest(coords) x),
  cohorts AS (
    SELECT sc.user_id AS coordinator_id, sc.cohort_id FROM coordinator_scope_cohort sc
    JOIN k ON k.coordinator_id = sc.user_id JOIN coordinator_scope s ON s.user_id = sc.user_id AND NOT s."all"
  ),
  desired AS (
    SELECT c.coordinator_id, e.user_id AS member_id FROM cohorts c JOIN enrollment e ON e.cohort_id = c.cohort_id
    UNION
    SELECT c.coordinator_id, ch.user_id FROM cohorts c JOIN champion ch ON ch.cohort_id = c.cohort_id
  ),
  gone AS (
    DELETE FROM scope_member sm USING k
    WHERE sm.coordinator_id = k.coordinator_id
      AND NOT EXISTS (SELECT 1 FROM desired d WHERE d.coordinator_id = sm.coordinator_id AND d.member_id = sm.member_id)
    RETURNING sm.coordinator_id, sm.member_id
  ),
  came AS (
    INSERT INTO scope_member (coordinator_id, member_id) SELECT coordinator_id, member_id FROM desired
    ON CONFLICT DO NOTHING RETURNING coordinator_id, member_id
  )
  INSERT INTO scope_event (seq, coordinator_id, member_id, kind)
  SELECT nextval('change_seq'), coordinator_id, member_id, kind
  FROM (SELECT coordinator_id, member_id, 'leave' AS kind FROM gone UNION ALL SELECT coordinator_id, member_id, 'enter' FROM came) ev;
END;
$$;--> statement-breakpoint
-- Statement-level triggers with transition tables: one recompute per statement, not per row
-- (an ingest of 1000 enrollments is one set-based pass).
CREATE FUNCTION afh_scope_members_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM afh_scope_sync_members(ARRAY(SELECT DISTINCT user_id FROM new_rows)); RETURN NULL; END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_scope_members_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_scope_sync_members(ARRAY(
    SELECT n.user_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.cohort_id IS DISTINCT FROM o.cohort_id OR n.user_id <> o.user_id
    UNION SELECT o.user_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.cohort_id IS DISTINCT FROM o.cohort_id OR n.user_id <> o.user_id));
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_scope_members_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM afh_scope_sync_members(ARRAY(SELECT DISTINCT user_id FROM old_rows)); RETURN NULL; END;
$$;--> statement-breakpoint
CREATE TRIGGER enrollment_scope_ins AFTER INSERT ON enrollment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_ins();--> statement-breakpoint
CREATE TRIGGER enrollment_scope_upd AFTER UPDATE ON enrollment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_upd();--> statement-breakpoint
CREATE TRIGGER enrollment_scope_del AFTER DELETE ON enrollment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_del();--> statement-breakpoint
CREATE TRIGGER champion_scope_ins AFTER INSERT ON champion REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_ins();--> statement-breakpoint
CREATE TRIGGER champion_scope_upd AFTER UPDATE ON champion REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_upd();--> statement-breakpoint
CREATE TRIGGER champion_scope_del AFTER DELETE ON champion REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_members_del();--> statement-breakpoint
CREATE FUNCTION afh_scope_coords_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM afh_scope_sync_coordinators(ARRAY(SELECT DISTINCT user_id FROM new_rows)); RETURN NULL; END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_scope_coords_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM afh_scope_sync_coordinators(ARRAY(SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows)); RETURN NULL; END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_scope_coords_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM afh_scope_sync_coordinators(ARRAY(SELECT DISTINCT user_id FROM old_rows)); RETURN NULL; END;
$$;--> statement-breakpoint
CREATE TRIGGER coordinator_scope_ins AFTER INSERT ON coordinator_scope REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_ins();--> statement-breakpoint
CREATE TRIGGER coordinator_scope_upd AFTER UPDATE ON coordinator_scope REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_upd();--> statement-breakpoint
CREATE TRIGGER coordinator_scope_del AFTER DELETE ON coordinator_scope REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_del();--> statement-breakpoint
CREATE TRIGGER coordinator_scope_cohort_ins AFTER INSERT ON coordinator_scope_cohort REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_ins();--> statement-breakpoint
CREATE TRIGGER coordinator_scope_cohort_upd AFTER UPDATE ON coordinator_scope_cohort REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_upd();--> statement-breakpoint
CREATE TRIGGER coordinator_scope_cohort_del AFTER DELETE ON coordinator_scope_cohort REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_scope_coords_del();
