CREATE TABLE "sync_epoch" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"start_seq" bigint NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_epoch_start_seq_unique" UNIQUE("start_seq")
);
--> statement-breakpoint
CREATE TABLE "sync_outcome" (
	"client_id" uuid NOT NULL,
	"mutation_id" bigint NOT NULL,
	"fingerprint" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_outcome_pk" PRIMARY KEY("client_id","mutation_id")
);
--> statement-breakpoint
ALTER TABLE "champion" ADD COLUMN "stage_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_meta" ADD COLUMN "database_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_outcome" ADD CONSTRAINT "sync_outcome_client_fk" FOREIGN KEY ("client_id") REFERENCES "public"."sync_client"("client_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_outcome_created_idx" ON "sync_outcome" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "champion" ADD CONSTRAINT "champion_stage_version_positive" CHECK ("champion"."stage_version" > 0);--> statement-breakpoint
-- Hand-written from here (docs/protocol.md, protocol 2).
-- The champion's wire row carries stage_version, the version a move's baseVersion is checked
-- against: the row type gets the attribute and the wire trigger writes it.
ALTER TYPE afh_wire_champion_row ADD ATTRIBUTE stage_version integer;--> statement-breakpoint
CREATE OR REPLACE FUNCTION afh_wire_champion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.wire := row_to_json(ROW(
    NEW.id, NEW.user_id, NEW.cohort_id, NEW.stage, NEW.notes, afh_iso(NEW.selected_at),
    afh_iso(NEW.became_champion_at), NEW.stage_version
  )::afh_wire_champion_row)::text;
  RETURN NEW;
END;
$$;--> statement-breakpoint
-- The server's moves bump stage_version themselves (a same-stage move that two coordinators
-- made bumps it too, so a chain of moves built on it stays exact); any other write that changes
-- the stage (an operator in psql) is bumped here, so no stage change can leave the version as it was.
CREATE FUNCTION afh_bump_stage_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.stage IS DISTINCT FROM OLD.stage AND NEW.stage_version = OLD.stage_version THEN
    NEW.stage_version := OLD.stage_version + 1;
  END IF;
  RETURN NEW;
END;
$$;--> statement-breakpoint
-- Named to run before champion_wire (triggers of one event fire in name order), so the wire row has the bumped version.
CREATE TRIGGER champion_a_stage_version BEFORE UPDATE ON champion FOR EACH ROW EXECUTE FUNCTION afh_bump_stage_version();--> statement-breakpoint
ALTER TABLE champion ENABLE ALWAYS TRIGGER champion_a_stage_version;--> statement-breakpoint
-- Existing rows get the new wire text without a new seq: every client's mirror already has
-- stage_version 1 for them (its own migration's default), so nothing needs pulling again.
ALTER TABLE champion DISABLE TRIGGER champion_seq;--> statement-breakpoint
UPDATE champion SET wire = NULL;--> statement-breakpoint
ALTER TABLE champion ENABLE TRIGGER champion_seq;--> statement-breakpoint
-- Clients that pushed before protocol 2 have no remembered outcomes; a resend of one of their
-- old ids is answered client_diverged (push.ts), and the client then sends its unanswered
-- changes again under a new identity, where each is judged afresh and a refusal is shown.
-- The first epoch, without taking a seq (existing rows keep theirs and nothing is re-pulled);
-- every server start adds one (serverIdentity.ts). Cursors issued by protocol 1 name no epoch and
-- are answered resync_required.
INSERT INTO sync_epoch (start_seq) SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM change_seq;
