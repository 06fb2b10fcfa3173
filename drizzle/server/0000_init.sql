CREATE SEQUENCE "public"."change_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "champion" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"cohort_id" text,
	"stage" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"selected_at" timestamp with time zone,
	"became_champion_at" timestamp with time zone,
	"seq" bigint NOT NULL,
	CONSTRAINT "champion_stage_check" CHECK (stage IN ('candidate', 'selected', 'champion', 'alumni'))
);
--> statement-breakpoint
CREATE TABLE "champion_stage_change" (
	"id" text PRIMARY KEY NOT NULL,
	"champion_id" text NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"changed_by" text NOT NULL,
	"reason" text,
	"seq" bigint NOT NULL,
	CONSTRAINT "csc_from_stage_check" CHECK (from_stage IS NULL OR from_stage IN ('candidate', 'selected', 'champion', 'alumni')),
	CONSTRAINT "csc_to_stage_check" CHECK (to_stage IN ('candidate', 'selected', 'champion', 'alumni'))
);
--> statement-breakpoint
CREATE TABLE "cohort" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "cohort_status_check" CHECK (status IN ('planned', 'active', 'finished'))
);
--> statement-breakpoint
CREATE TABLE "credential" (
	"user_id" text PRIMARY KEY NOT NULL,
	"salt" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrollment" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"cohort_id" text,
	"course_name" text,
	"status" text NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "enrollment_status_check" CHECK (status IN ('active', 'completed', 'withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "login_failure" (
	"email_key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failed_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "session" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_client" (
	"client_id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"last_mutation_id" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_meta" (
	"id" integer PRIMARY KEY NOT NULL,
	"tombstone_floor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "sync_meta_singleton" CHECK ("sync_meta"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "tombstone" (
	"seq" bigint NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tombstone_pk" PRIMARY KEY("seq")
);
--> statement-breakpoint
CREATE TABLE "user" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"origin" text,
	"profile_img" text,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "user_roles_array" CHECK (jsonb_typeof("user"."roles") = 'array' AND "user"."roles" <@ '["student","teacher","admin","champion","superadmin"]'::jsonb)
);
--> statement-breakpoint
CREATE TABLE "user_action" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"enrollment_id" text,
	"action_type" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_system" text,
	"source_event_id" text,
	"idempotency_key" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "user_action_action_type_check" CHECK (action_type IN ('enrolled', 'viewed_module', 'started_module', 'completed_module', 'answered_question', 'posted_thread', 'posted_reply', 'completed_course', 'unenrolled')),
	CONSTRAINT "user_action_target_type_check" CHECK (target_type IS NULL OR target_type IN ('module', 'content_block', 'question', 'course', 'cohort', 'forum', 'thread', 'post')),
	CONSTRAINT "user_action_source_system_check" CHECK (source_system IS NULL OR source_system IN ('webhook', 'app', 'stripe', 'segment', 'manual', 'cron_worker')),
	CONSTRAINT "user_action_metadata_object" CHECK (jsonb_typeof("user_action"."metadata") = 'object')
);
--> statement-breakpoint
ALTER TABLE "champion" ADD CONSTRAINT "champion_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion" ADD CONSTRAINT "champion_cohort_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohort"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_stage_change" ADD CONSTRAINT "csc_champion_fk" FOREIGN KEY ("champion_id") REFERENCES "public"."champion"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credential" ADD CONSTRAINT "credential_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment" ADD CONSTRAINT "enrollment_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment" ADD CONSTRAINT "enrollment_cohort_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohort"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_client" ADD CONSTRAINT "sync_client_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_action" ADD CONSTRAINT "user_action_enrollment_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."enrollment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "champion_user_cohort_unique" ON "champion" USING btree ("user_id","cohort_id") WHERE cohort_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "champion_user_global_unique" ON "champion" USING btree ("user_id") WHERE cohort_id IS NULL;--> statement-breakpoint
CREATE INDEX "champion_seq_idx" ON "champion" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "csc_champion_idx" ON "champion_stage_change" USING btree ("champion_id");--> statement-breakpoint
CREATE INDEX "csc_seq_idx" ON "champion_stage_change" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "cohort_seq_idx" ON "cohort" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "enrollment_user_idx" ON "enrollment" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "enrollment_seq_idx" ON "enrollment" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "session_expires_idx" ON "session" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "tombstone_deleted_at_idx" ON "tombstone" USING btree ("deleted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "user_email_unique" ON "user" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "user_seq_idx" ON "user" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "user_action_source_event_unique" ON "user_action" USING btree ("source_system","source_event_id") WHERE source_system IS NOT NULL AND source_event_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "user_action_idempotency_key_unique" ON "user_action" USING btree ("idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "user_action_user_time_idx" ON "user_action" USING btree ("user_id","occurred_at");--> statement-breakpoint
CREATE INDEX "user_action_seq_idx" ON "user_action" USING btree ("seq");