CREATE TABLE `pull_quarantine` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`received` text NOT NULL,
	`reason` text NOT NULL,
	`page_cursor` text,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pull_quarantine_row_unique` ON `pull_quarantine` (`table_name`,`row_id`);