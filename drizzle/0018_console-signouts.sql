CREATE TABLE `console_signouts` (
	`sid` text PRIMARY KEY NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `console_signouts_expires` ON `console_signouts` (`expires_at`);