CREATE TABLE `verification_uses` (
	`verification_id` text PRIMARY KEY NOT NULL,
	`filing_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`verification_id`) REFERENCES `verifications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `verifications` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`requester_account_id` text NOT NULL,
	`status` text NOT NULL,
	`person_sealed` text NOT NULL,
	`person_masked` text NOT NULL,
	`certificate_blind` text NOT NULL,
	`name_blind` text NOT NULL,
	`token_hash` text NOT NULL,
	`beijing_day` text NOT NULL,
	`failure_reason` text,
	`completed_at` text,
	`valid_until` text,
	`expires_at` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`app_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requester_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `verifications_app_day` ON `verifications` (`app_id`,`beijing_day`);--> statement-breakpoint
CREATE UNIQUE INDEX `verifications_token` ON `verifications` (`token_hash`);