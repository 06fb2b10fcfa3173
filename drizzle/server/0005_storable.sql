CREATE TABLE "storable_repair" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "storable_repair_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"action" text NOT NULL,
	"repaired_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Hand-written from here to the CHECKs (issue 11 part B, src/shared/storable.ts).
-- JSON depth, as storable.ts counts it ({} is depth 1). Recursion never goes past max_depth + 1
-- levels, so a value nested 1,000 deep costs no more than one nested 17 deep.
CREATE OR REPLACE FUNCTION afh_json_depth_within(j jsonb, max_depth integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE v jsonb;
BEGIN
  IF jsonb_typeof(j) NOT IN ('object', 'array') THEN RETURN true; END IF;
  IF max_depth < 1 THEN RETURN false; END IF;
  FOR v IN SELECT x FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END) x
           UNION ALL SELECT value FROM jsonb_each(CASE WHEN jsonb_typeof(j) = 'object' THEN j ELSE '{}'::jsonb END) LOOP
    IF NOT afh_json_depth_within(v, max_depth - 1) THEN RETURN false; END IF;
  END LOOP;
  RETURN true;
END $$;--> statement-breakpoint
-- A JSON value a laptop can store: depth and compact size. jsonb's text puts a space after each
-- ':' and ','; taking those out gives the compact size JSON.stringify measures (a ", " inside a
-- string is taken out too, which only ever lets the CHECK accept more than the zod rule, never
-- less: the server never refuses a value the contract accepted). The bracket count is a cheap
-- upper bound on depth, so the recursive walk runs only for metadata with many brackets.
CREATE OR REPLACE FUNCTION afh_json_storable(j jsonb, max_depth integer, max_bytes integer) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT octet_length(replace(replace(t, ', ', ','), '": ', '":')) <= max_bytes
     AND (octet_length(t) - octet_length(translate(t, '{[', '')) <= max_depth OR afh_json_depth_within(j, max_depth))
  FROM (SELECT j::text AS t) s
$$;--> statement-breakpoint
-- Length in UTF-16 code units, as the zod schemas (and a browser's maxLength) count it.
CREATE OR REPLACE FUNCTION afh_utf16_length(s text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT char_length(s) + regexp_count(s, '[\U00010000-\U0010FFFF]')
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION afh_utf16_left(s text, max integer) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  s := left(s, max);
  WHILE afh_utf16_length(s) > max LOOP s := left(s, char_length(s) - 1); END LOOP;
  RETURN s;
END $$;--> statement-breakpoint
-- Repairs: every stored row that breaks a rule below is repaired (or its value removed) and
-- logged in storable_repair (table, row, what was done; never the old value), before the CHECKs
-- are added. Each UPDATE goes through the seq trigger, so laptops pull the repaired rows.
WITH r AS (UPDATE "user" SET email = 'repaired-' || id || '@invalid.invalid' WHERE afh_utf16_length(email) < 3 OR afh_utf16_length(email) > 320 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'email replaced: shorter than 3 or longer than 320 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user" SET name = '(no name)' WHERE name = '' RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'name was empty: set to "(no name)"' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user" SET name = afh_utf16_left(name, 200) WHERE afh_utf16_length(name) > 200 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'name cut to 200 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user" SET origin = NULL WHERE afh_utf16_length(origin) > 100 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'origin removed: longer than 100 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user" SET profile_img = NULL WHERE afh_utf16_length(profile_img) > 2000 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'profile_img removed: longer than 2000 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user" SET created_at = GREATEST(LEAST(created_at, '2100-01-01T00:00:00.000Z'::timestamptz - interval '1 millisecond'), '2000-01-01T00:00:00.000Z'::timestamptz) WHERE (created_at < '2000-01-01T00:00:00.000Z'::timestamptz OR created_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user', id, 'created_at moved into 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "cohort" SET name = '(no name)' WHERE name = '' RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'cohort', id, 'name was empty: set to "(no name)"' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "cohort" SET name = afh_utf16_left(name, 200) WHERE afh_utf16_length(name) > 200 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'cohort', id, 'name cut to 200 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "cohort" SET starts_at = NULL WHERE (starts_at < '2000-01-01T00:00:00.000Z'::timestamptz OR starts_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'cohort', id, 'starts_at removed: outside 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "cohort" SET ends_at = NULL WHERE (ends_at < '2000-01-01T00:00:00.000Z'::timestamptz OR ends_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'cohort', id, 'ends_at removed: outside 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "cohort" SET created_at = GREATEST(LEAST(created_at, '2100-01-01T00:00:00.000Z'::timestamptz - interval '1 millisecond'), '2000-01-01T00:00:00.000Z'::timestamptz) WHERE (created_at < '2000-01-01T00:00:00.000Z'::timestamptz OR created_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'cohort', id, 'created_at moved into 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "enrollment" SET course_name = afh_utf16_left(course_name, 200) WHERE afh_utf16_length(course_name) > 200 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'enrollment', id, 'course_name cut to 200 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "enrollment" SET enrolled_at = GREATEST(LEAST(enrolled_at, '2100-01-01T00:00:00.000Z'::timestamptz - interval '1 millisecond'), '2000-01-01T00:00:00.000Z'::timestamptz) WHERE (enrolled_at < '2000-01-01T00:00:00.000Z'::timestamptz OR enrolled_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'enrollment', id, 'enrolled_at moved into 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user_action" SET metadata = '{}'::jsonb WHERE NOT afh_json_storable(metadata, 16, 16384) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user_action', id, 'metadata removed: nested deeper than 16 levels or over 16 KiB' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user_action" SET target_id = NULL WHERE afh_utf16_length(target_id) > 128 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user_action', id, 'target_id removed: longer than 128 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user_action" SET source_event_id = NULL WHERE afh_utf16_length(source_event_id) > 256 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user_action', id, 'source_event_id removed: longer than 256 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user_action" SET idempotency_key = NULL WHERE afh_utf16_length(idempotency_key) > 512 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user_action', id, 'idempotency_key removed: longer than 512 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "user_action" SET occurred_at = GREATEST(LEAST(occurred_at, '2100-01-01T00:00:00.000Z'::timestamptz - interval '1 millisecond'), '2000-01-01T00:00:00.000Z'::timestamptz) WHERE (occurred_at < '2000-01-01T00:00:00.000Z'::timestamptz OR occurred_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'user_action', id, 'occurred_at moved into 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "champion" SET notes = afh_utf16_left(notes, 20000) WHERE afh_utf16_length(notes) > 20000 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'champion', id, 'notes cut to 20000 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "champion" SET selected_at = NULL WHERE (selected_at < '2000-01-01T00:00:00.000Z'::timestamptz OR selected_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'champion', id, 'selected_at removed: outside 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "champion" SET became_champion_at = NULL WHERE (became_champion_at < '2000-01-01T00:00:00.000Z'::timestamptz OR became_champion_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'champion', id, 'became_champion_at removed: outside 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "champion_stage_change" SET reason = afh_utf16_left(reason, 2000) WHERE afh_utf16_length(reason) > 2000 RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'champion_stage_change', id, 'reason cut to 2000 characters' FROM r;--> statement-breakpoint
WITH r AS (UPDATE "champion_stage_change" SET changed_at = GREATEST(LEAST(changed_at, '2100-01-01T00:00:00.000Z'::timestamptz - interval '1 millisecond'), '2000-01-01T00:00:00.000Z'::timestamptz) WHERE (changed_at < '2000-01-01T00:00:00.000Z'::timestamptz OR changed_at >= '2100-01-01T00:00:00.000Z'::timestamptz) RETURNING id)
  INSERT INTO storable_repair (table_name, row_id, action) SELECT 'champion_stage_change', id, 'changed_at moved into 2000-01-01 .. 2099-12-31' FROM r;--> statement-breakpoint
-- The CHECKs (generated).
ALTER TABLE "champion" ADD CONSTRAINT "champion_notes_storable" CHECK (notes IS NULL OR (char_length(notes) >= 0 AND char_length(notes) <= 20000 AND (octet_length(notes) <= 20000 OR char_length(notes) + regexp_count(notes, '[\U00010000-\U0010FFFF]') <= 20000)));--> statement-breakpoint
ALTER TABLE "champion" ADD CONSTRAINT "champion_selected_at_storable" CHECK (selected_at IS NULL OR (selected_at >= '2000-01-01T00:00:00.000Z' AND selected_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "champion" ADD CONSTRAINT "champion_became_champion_at_storable" CHECK (became_champion_at IS NULL OR (became_champion_at >= '2000-01-01T00:00:00.000Z' AND became_champion_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "champion_stage_change" ADD CONSTRAINT "csc_reason_storable" CHECK (reason IS NULL OR (char_length(reason) >= 0 AND char_length(reason) <= 2000 AND (octet_length(reason) <= 2000 OR char_length(reason) + regexp_count(reason, '[\U00010000-\U0010FFFF]') <= 2000)));--> statement-breakpoint
ALTER TABLE "champion_stage_change" ADD CONSTRAINT "csc_changed_at_storable" CHECK (changed_at IS NULL OR (changed_at >= '2000-01-01T00:00:00.000Z' AND changed_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "cohort" ADD CONSTRAINT "cohort_name_storable" CHECK (name IS NULL OR (char_length(name) >= 1 AND char_length(name) <= 200 AND (octet_length(name) <= 200 OR char_length(name) + regexp_count(name, '[\U00010000-\U0010FFFF]') <= 200)));--> statement-breakpoint
ALTER TABLE "cohort" ADD CONSTRAINT "cohort_starts_at_storable" CHECK (starts_at IS NULL OR (starts_at >= '2000-01-01T00:00:00.000Z' AND starts_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "cohort" ADD CONSTRAINT "cohort_ends_at_storable" CHECK (ends_at IS NULL OR (ends_at >= '2000-01-01T00:00:00.000Z' AND ends_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "cohort" ADD CONSTRAINT "cohort_created_at_storable" CHECK (created_at IS NULL OR (created_at >= '2000-01-01T00:00:00.000Z' AND created_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "enrollment" ADD CONSTRAINT "enrollment_course_name_storable" CHECK (course_name IS NULL OR (char_length(course_name) >= 0 AND char_length(course_name) <= 200 AND (octet_length(course_name) <= 200 OR char_length(course_name) + regexp_count(course_name, '[\U00010000-\U0010FFFF]') <= 200)));--> statement-breakpoint
ALTER TABLE "enrollment" ADD CONSTRAINT "enrollment_enrolled_at_storable" CHECK (enrolled_at IS NULL OR (enrolled_at >= '2000-01-01T00:00:00.000Z' AND enrolled_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_email_storable" CHECK (email IS NULL OR (char_length(email) >= 3 AND char_length(email) <= 320 AND (octet_length(email) <= 320 OR char_length(email) + regexp_count(email, '[\U00010000-\U0010FFFF]') <= 320)));--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_name_storable" CHECK (name IS NULL OR (char_length(name) >= 1 AND char_length(name) <= 200 AND (octet_length(name) <= 200 OR char_length(name) + regexp_count(name, '[\U00010000-\U0010FFFF]') <= 200)));--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_origin_storable" CHECK (origin IS NULL OR (char_length(origin) >= 0 AND char_length(origin) <= 100 AND (octet_length(origin) <= 100 OR char_length(origin) + regexp_count(origin, '[\U00010000-\U0010FFFF]') <= 100)));--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_profile_img_storable" CHECK (profile_img IS NULL OR (char_length(profile_img) >= 0 AND char_length(profile_img) <= 2000 AND (octet_length(profile_img) <= 2000 OR char_length(profile_img) + regexp_count(profile_img, '[\U00010000-\U0010FFFF]') <= 2000)));--> statement-breakpoint
ALTER TABLE "user" ADD CONSTRAINT "user_created_at_storable" CHECK (created_at IS NULL OR (created_at >= '2000-01-01T00:00:00.000Z' AND created_at < '2100-01-01T00:00:00.000Z'));--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_metadata_storable" CHECK (afh_json_storable(metadata, 16, 16384));--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_target_id_storable" CHECK (target_id IS NULL OR (char_length(target_id) >= 0 AND char_length(target_id) <= 128 AND (octet_length(target_id) <= 128 OR char_length(target_id) + regexp_count(target_id, '[\U00010000-\U0010FFFF]') <= 128)));--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_source_event_id_storable" CHECK (source_event_id IS NULL OR (char_length(source_event_id) >= 0 AND char_length(source_event_id) <= 256 AND (octet_length(source_event_id) <= 256 OR char_length(source_event_id) + regexp_count(source_event_id, '[\U00010000-\U0010FFFF]') <= 256)));--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_idempotency_key_storable" CHECK (idempotency_key IS NULL OR (char_length(idempotency_key) >= 0 AND char_length(idempotency_key) <= 512 AND (octet_length(idempotency_key) <= 512 OR char_length(idempotency_key) + regexp_count(idempotency_key, '[\U00010000-\U0010FFFF]') <= 512)));--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_occurred_at_storable" CHECK (occurred_at IS NULL OR (occurred_at >= '2000-01-01T00:00:00.000Z' AND occurred_at < '2100-01-01T00:00:00.000Z'));