CREATE TABLE `organizer_number_claims` (
	`certificate_blind` text PRIMARY KEY NOT NULL,
	`province` text NOT NULL,
	`year` integer NOT NULL,
	`sequence` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizer_number_claims_number` ON `organizer_number_claims` (`province`,`year`,`sequence`);--> statement-breakpoint
CREATE TABLE `organizer_number_counters` (
	`province` text NOT NULL,
	`year` integer NOT NULL,
	`last_sequence` integer NOT NULL,
	PRIMARY KEY(`province`, `year`)
);
--> statement-breakpoint
DROP INDEX `organizers_allocation`;--> statement-breakpoint
ALTER TABLE `organizers` DROP COLUMN `number_year`;--> statement-breakpoint
ALTER TABLE `organizers` DROP COLUMN `number_seq`;--> statement-breakpoint
-- Allocation continues after every 10-digit organizer number already held, beian's and the bureau's alike.
INSERT INTO `organizer_number_counters` (`province`, `year`, `last_sequence`)
SELECT `province`, CAST(substr(`organizer_digits`, 1, 4) AS integer), max(CAST(substr(`organizer_digits`, 5) AS integer))
FROM `organizers`
WHERE length(`organizer_digits`) = 10
GROUP BY `province`, substr(`organizer_digits`, 1, 4);
