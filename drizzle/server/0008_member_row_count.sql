CREATE TABLE "member_row_count" (
	"member_id" text PRIMARY KEY NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
-- Scoped sync (issue 13): a first scoped sync sends members whole, a page's worth at a time, and
-- sizes each page from these counts: per member, the rows an expansion page carries besides the
-- user row (enrollments, actions, champion rows, and the stage history of those champion rows).
-- Statement-level triggers with transition tables add and subtract per statement (an ingest of
-- 1000 actions is one grouped upsert); a row-level trigger, filtered by WHEN, handles the rare
-- update that moves a row to another member. Writers hold the writers' lock, so no two
-- statements race on one count.
CREATE FUNCTION afh_member_rows_add(member text[], delta bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO member_row_count AS m (member_id, n)
  SELECT d.member_id, sum(d.delta) FROM unnest(member, delta) AS d(member_id, delta) GROUP BY d.member_id
  ON CONFLICT (member_id) DO UPDATE SET n = m.n + excluded.n;
$$;--> statement-breakpoint
CREATE FUNCTION afh_member_rows_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_member_rows_add(array_agg(user_id), array_agg(1::bigint)) FROM new_rows;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_member_rows_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_member_rows_add(array_agg(user_id), array_agg(-1::bigint)) FROM old_rows;
  RETURN NULL;
END;
$$;--> statement-breakpoint
-- A row moved to another member; a champion row takes its stage history with it.
CREATE FUNCTION afh_member_rows_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  weight bigint := 1;
BEGIN
  IF TG_TABLE_NAME = 'champion' THEN
    weight := 1 + (SELECT count(*) FROM champion_stage_change WHERE champion_id = NEW.id);
  END IF;
  PERFORM afh_member_rows_add(ARRAY[OLD.user_id, NEW.user_id], ARRAY[-weight, weight]);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_member_rows_history_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_member_rows_add(array_agg(c.user_id), array_agg(1::bigint)) FROM new_rows s JOIN champion c ON c.id = s.champion_id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
-- The champion row is still there: its stage history must go before it (csc_champion_fk).
CREATE FUNCTION afh_member_rows_history_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_member_rows_add(array_agg(c.user_id), array_agg(-1::bigint)) FROM old_rows s JOIN champion c ON c.id = s.champion_id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION afh_member_rows_history_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM afh_member_rows_add(ARRAY[(SELECT user_id FROM champion WHERE id = OLD.champion_id), (SELECT user_id FROM champion WHERE id = NEW.champion_id)], ARRAY[-1::bigint, 1::bigint]);
  RETURN NULL;
END;
$$;--> statement-breakpoint
-- An erased member's count goes with them.
CREATE FUNCTION afh_member_rows_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM member_row_count m USING old_rows o WHERE m.member_id = o.id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
-- Every count from the tables: the backfill below, and after a bulk load that ran with triggers off (src/server/demo/loadDemo.ts).
CREATE FUNCTION afh_member_rows_recount() RETURNS void LANGUAGE sql AS $$
  DELETE FROM member_row_count;
  INSERT INTO member_row_count (member_id, n)
  SELECT member_id, sum(n) FROM (
    SELECT user_id AS member_id, count(*) AS n FROM user_action GROUP BY user_id
    UNION ALL SELECT user_id, count(*) FROM enrollment GROUP BY user_id
    UNION ALL SELECT user_id, count(*) FROM champion GROUP BY user_id
    UNION ALL SELECT c.user_id, count(*) FROM champion_stage_change s JOIN champion c ON c.id = s.champion_id GROUP BY c.user_id
  ) x GROUP BY member_id;
$$;--> statement-breakpoint
CREATE TRIGGER user_action_rows_ins AFTER INSERT ON user_action REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_ins();--> statement-breakpoint
CREATE TRIGGER user_action_rows_del AFTER DELETE ON user_action REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_del();--> statement-breakpoint
CREATE TRIGGER user_action_rows_move AFTER UPDATE OF user_id ON user_action FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION afh_member_rows_move();--> statement-breakpoint
CREATE TRIGGER enrollment_rows_ins AFTER INSERT ON enrollment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_ins();--> statement-breakpoint
CREATE TRIGGER enrollment_rows_del AFTER DELETE ON enrollment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_del();--> statement-breakpoint
CREATE TRIGGER enrollment_rows_move AFTER UPDATE OF user_id ON enrollment FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION afh_member_rows_move();--> statement-breakpoint
CREATE TRIGGER champion_rows_ins AFTER INSERT ON champion REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_ins();--> statement-breakpoint
CREATE TRIGGER champion_rows_del AFTER DELETE ON champion REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_del();--> statement-breakpoint
CREATE TRIGGER champion_rows_move AFTER UPDATE OF user_id ON champion FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) EXECUTE FUNCTION afh_member_rows_move();--> statement-breakpoint
CREATE TRIGGER csc_rows_ins AFTER INSERT ON champion_stage_change REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_history_ins();--> statement-breakpoint
CREATE TRIGGER csc_rows_del AFTER DELETE ON champion_stage_change REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_history_del();--> statement-breakpoint
CREATE TRIGGER csc_rows_move AFTER UPDATE OF champion_id ON champion_stage_change FOR EACH ROW WHEN (OLD.champion_id IS DISTINCT FROM NEW.champion_id) EXECUTE FUNCTION afh_member_rows_history_move();--> statement-breakpoint
CREATE TRIGGER user_rows_forget AFTER DELETE ON "user" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION afh_member_rows_forget();--> statement-breakpoint
SELECT afh_member_rows_recount();
