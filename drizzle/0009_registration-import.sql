PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_registration_versions` (
	`number` text NOT NULL,
	`version` integer NOT NULL,
	`filing_id` text,
	`service_name` text NOT NULL,
	`approved_at` text NOT NULL,
	PRIMARY KEY(`number`, `version`)
);
--> statement-breakpoint
INSERT INTO `__new_registration_versions`("number", "version", "filing_id", "service_name", "approved_at") SELECT "number", "version", "filing_id", "service_name", "approved_at" FROM `registration_versions`;--> statement-breakpoint
DROP TABLE `registration_versions`;--> statement-breakpoint
ALTER TABLE `__new_registration_versions` RENAME TO `registration_versions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_registrations` (
	`number` text PRIMARY KEY NOT NULL,
	`app_id` text,
	`organizer_id` text NOT NULL,
	`filing_id` text,
	`source` text DEFAULT 'beian' NOT NULL,
	`status` text NOT NULL,
	`service_name` text NOT NULL,
	`service_name_key` text NOT NULL,
	`sequence` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`approved_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`app_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organizer_id`) REFERENCES `organizers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_registrations`("number", "app_id", "organizer_id", "filing_id", "source", "status", "service_name", "service_name_key", "sequence", "version", "approved_at", "updated_at") SELECT "number", "app_id", "organizer_id", "filing_id", 'beian', "status", "service_name", "service_name_key", "sequence", "version", "approved_at", "updated_at" FROM `registrations`;--> statement-breakpoint
DROP TABLE `registrations`;--> statement-breakpoint
ALTER TABLE `__new_registrations` RENAME TO `registrations`;--> statement-breakpoint
CREATE UNIQUE INDEX `registrations_sequence` ON `registrations` (`organizer_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `registrations_filing` ON `registrations` (`filing_id`);--> statement-breakpoint
CREATE INDEX `registrations_app` ON `registrations` (`app_id`,`status`);--> statement-breakpoint
CREATE INDEX `registrations_organizer` ON `registrations` (`organizer_id`,`status`);--> statement-breakpoint
CREATE INDEX `registrations_service_name` ON `registrations` (`service_name_key`,`status`);