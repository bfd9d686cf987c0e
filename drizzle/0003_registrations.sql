CREATE TABLE `public_records` (
	`service_licence` text PRIMARY KEY NOT NULL,
	`main_licence` text NOT NULL,
	`unit_name` text NOT NULL,
	`unit_name_key` text,
	`nature_name` text NOT NULL,
	`service_name` text NOT NULL,
	`service_name_key` text NOT NULL,
	`service_type` integer NOT NULL,
	`content_type_name` text NOT NULL,
	`update_record_time` text NOT NULL,
	`status` text NOT NULL,
	`redacted` text DEFAULT '[]' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `public_records_main` ON `public_records` (`main_licence`);--> statement-breakpoint
CREATE INDEX `public_records_service_name` ON `public_records` (`service_name_key`);--> statement-breakpoint
CREATE INDEX `public_records_unit_name` ON `public_records` (`unit_name_key`);--> statement-breakpoint
CREATE TABLE `registration_versions` (
	`number` text NOT NULL,
	`version` integer NOT NULL,
	`filing_id` text NOT NULL,
	`service_name` text NOT NULL,
	`approved_at` text NOT NULL,
	PRIMARY KEY(`number`, `version`)
);
--> statement-breakpoint
ALTER TABLE `organizers` ADD `organizer_digits` text;--> statement-breakpoint
ALTER TABLE `organizers` ADD `number_year` integer;--> statement-breakpoint
ALTER TABLE `organizers` ADD `number_seq` integer;--> statement-breakpoint
ALTER TABLE `organizers` ADD `last_sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `organizers_digits` ON `organizers` (`province`,`organizer_digits`);--> statement-breakpoint
CREATE UNIQUE INDEX `organizers_allocation` ON `organizers` (`province`,`number_year`,`number_seq`);--> statement-breakpoint
ALTER TABLE `registrations` ADD `sequence` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `registrations_sequence` ON `registrations` (`organizer_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `registrations_filing` ON `registrations` (`filing_id`);