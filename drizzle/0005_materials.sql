CREATE TABLE `filing_materials` (
	`filing_id` text NOT NULL,
	`media_id` text NOT NULL,
	`path` text NOT NULL,
	PRIMARY KEY(`filing_id`, `path`)
);
--> statement-breakpoint
CREATE INDEX `filing_materials_media` ON `filing_materials` (`media_id`);--> statement-breakpoint
CREATE TABLE `materials` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_account_id` text NOT NULL,
	`field` text NOT NULL,
	`certificate_type` text,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`sha256` text NOT NULL,
	`object_key` text NOT NULL,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `materials_owner` ON `materials` (`owner_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `materials_created` ON `materials` (`deleted_at`,`created_at`);