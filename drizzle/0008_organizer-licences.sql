CREATE TABLE `organizer_licences` (
	`main_licence` text PRIMARY KEY NOT NULL,
	`organizer_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`organizer_id`) REFERENCES `organizers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `organizer_licences_organizer` ON `organizer_licences` (`organizer_id`);