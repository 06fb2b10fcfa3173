ALTER TABLE `champion` ADD `stage_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `conflict` ADD `blocked_by` integer;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `server_database_id` text;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `heard_mutation_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `clock_offset_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written from here (docs/protocol.md, protocol 2).
-- Every answer up to the server's last id was heard, except those protocol 1 could not confirm
-- (its answer was lost and the resend said only "already applied": kept as sync.unconfirmed:*
-- settings). Those are sent again: a protocol 2 server, which has no outcome for them, answers
-- client_diverged, and this laptop sends its unanswered changes again under a new identity,
-- where each is judged afresh and a refusal becomes a conflict instead of a guess.
UPDATE sync_state SET heard_mutation_id = COALESCE(
  (SELECT min(CAST(substr(key, 18) AS INTEGER)) - 1 FROM setting WHERE key LIKE 'sync.unconfirmed:%'),
  server_last_mutation_id
);--> statement-breakpoint
DELETE FROM setting WHERE key LIKE 'sync.unconfirmed:%';--> statement-breakpoint
-- Moves queued before protocol 2 were made without a stage version: the server checks them by stage alone.
UPDATE outbox SET args = json_set(args, '$.baseVersion', json('null'))
WHERE name = 'champion.move' AND json_type(args, '$.baseVersion') IS NULL;
