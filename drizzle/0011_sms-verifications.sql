CREATE TABLE `filing_sms_verifications` (
	`filing_id` text NOT NULL,
	`role` text NOT NULL,
	`mobile_sealed` text NOT NULL,
	`mobile_masked` text NOT NULL,
	`status` text NOT NULL,
	`wrong_attempts` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`filing_id`, `role`),
	FOREIGN KEY (`filing_id`) REFERENCES `filings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `filings` ADD `sms_verifications` text DEFAULT '[]' NOT NULL;