CREATE TABLE `champion` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`cohort_id` text,
	`stage` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`selected_at` text,
	`became_champion_at` text,
	CONSTRAINT "champion_stage_check" CHECK(stage IN ('candidate', 'selected', 'champion', 'alumni'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `champion_user_cohort_unique` ON `champion` (`user_id`,`cohort_id`) WHERE cohort_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `champion_user_global_unique` ON `champion` (`user_id`) WHERE cohort_id IS NULL;--> statement-breakpoint
CREATE INDEX `champion_cohort_stage_idx` ON `champion` (`cohort_id`,`stage`);--> statement-breakpoint
CREATE TABLE `champion_stage_change` (
	`id` text PRIMARY KEY NOT NULL,
	`champion_id` text NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`changed_at` text NOT NULL,
	`changed_by` text NOT NULL,
	`reason` text,
	`pending_mutation_id` integer,
	CONSTRAINT "csc_from_stage_check" CHECK(from_stage IS NULL OR from_stage IN ('candidate', 'selected', 'champion', 'alumni')),
	CONSTRAINT "csc_to_stage_check" CHECK(to_stage IN ('candidate', 'selected', 'champion', 'alumni'))
);
--> statement-breakpoint
CREATE INDEX `csc_champion_idx` ON `champion_stage_change` (`champion_id`,`changed_at`);--> statement-breakpoint
CREATE INDEX `csc_pending_idx` ON `champion_stage_change` (`pending_mutation_id`) WHERE pending_mutation_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `cohort` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`starts_at` text,
	`ends_at` text,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "cohort_status_check" CHECK(status IN ('planned', 'active', 'finished'))
);
--> statement-breakpoint
CREATE TABLE `conflict` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mutation_id` integer NOT NULL,
	`name` text NOT NULL,
	`args` text NOT NULL,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`current` text,
	`entity_table` text,
	`entity_id` text,
	`created_at` text NOT NULL,
	`resolved_at` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `conflict_open_idx` ON `conflict` (`entity_id`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `enrollment` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`cohort_id` text,
	`course_name` text,
	`status` text NOT NULL,
	`enrolled_at` text NOT NULL,
	CONSTRAINT "enrollment_status_check" CHECK(status IN ('active', 'completed', 'withdrawn'))
);
--> statement-breakpoint
CREATE INDEX `enrollment_user_idx` ON `enrollment` (`user_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`args` text NOT NULL,
	`created_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `setting` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`cursor` text,
	`next_mutation_id` integer DEFAULT 1 NOT NULL,
	`server_last_mutation_id` integer DEFAULT 0 NOT NULL,
	`last_synced_at` text,
	`pull_in_progress` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sync_state_singleton" CHECK("sync_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `user` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`origin` text,
	`profile_img` text,
	`roles` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "user_roles_json" CHECK(json_valid("user"."roles") AND json_type("user"."roles") = 'array')
);
--> statement-breakpoint
CREATE INDEX `user_origin_idx` ON `user` (`origin`);--> statement-breakpoint
CREATE INDEX `user_name_idx` ON `user` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `user_role_student_idx` ON `user` (`name`,`id`) WHERE instr(roles, '"student"') > 0;--> statement-breakpoint
CREATE INDEX `user_role_teacher_idx` ON `user` (`name`,`id`) WHERE instr(roles, '"teacher"') > 0;--> statement-breakpoint
CREATE INDEX `user_role_admin_idx` ON `user` (`name`,`id`) WHERE instr(roles, '"admin"') > 0;--> statement-breakpoint
CREATE INDEX `user_role_champion_idx` ON `user` (`name`,`id`) WHERE instr(roles, '"champion"') > 0;--> statement-breakpoint
CREATE INDEX `user_role_superadmin_idx` ON `user` (`name`,`id`) WHERE instr(roles, '"superadmin"') > 0;--> statement-breakpoint
CREATE TABLE `user_action` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`enrollment_id` text,
	`action_type` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`source_system` text,
	`source_event_id` text,
	`idempotency_key` text,
	`occurred_at` text NOT NULL,
	CONSTRAINT "user_action_action_type_check" CHECK(action_type IN ('enrolled', 'viewed_module', 'started_module', 'completed_module', 'answered_question', 'posted_thread', 'posted_reply', 'completed_course', 'unenrolled')),
	CONSTRAINT "user_action_target_type_check" CHECK(target_type IS NULL OR target_type IN ('module', 'content_block', 'question', 'course', 'cohort', 'forum', 'thread', 'post')),
	CONSTRAINT "user_action_source_system_check" CHECK(source_system IS NULL OR source_system IN ('webhook', 'app', 'stripe', 'segment', 'manual', 'cron_worker')),
	CONSTRAINT "user_action_metadata_object" CHECK(json_valid("user_action"."metadata") AND json_type("user_action"."metadata") = 'object')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_action_source_event_unique` ON `user_action` (`source_system`,`source_event_id`) WHERE source_system IS NOT NULL AND source_event_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `user_action_idempotency_key_unique` ON `user_action` (`idempotency_key`) WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `user_action_user_time_idx` ON `user_action` (`user_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_time_idx` ON `user_action` (`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_type_time_idx` ON `user_action` (`action_type`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_source_time_idx` ON `user_action` (`source_system`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_target_time_idx` ON `user_action` (`target_type`,`occurred_at`,`id`);