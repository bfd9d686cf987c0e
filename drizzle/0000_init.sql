CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_account` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `app_grants` (
	`app_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`app_id`, `account_id`),
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`app_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `app_grants_account` ON `app_grants` (`account_id`);--> statement-breakpoint
CREATE TABLE `apps` (
	`app_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner_account_id` text NOT NULL,
	`listing_status` text DEFAULT 'unlisted' NOT NULL,
	`listed_at` text,
	`delisted_at` text,
	`delist_reason` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owner_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `apps_owner` ON `apps` (`owner_account_id`,`app_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`subject` text NOT NULL,
	`seq` integer NOT NULL,
	`action` text NOT NULL,
	`actor_account_id` text NOT NULL,
	`at` text NOT NULL,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`subject`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`account_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`created_at` text NOT NULL,
	`dispatched_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_account` ON `events` (`account_id`,`seq`);--> statement-breakpoint
CREATE TABLE `filing_history` (
	`filing_id` text NOT NULL,
	`seq` integer NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor_account_id` text NOT NULL,
	`actor_role` text NOT NULL,
	`reasons` text DEFAULT '[]' NOT NULL,
	`note` text,
	`at` text NOT NULL,
	PRIMARY KEY(`filing_id`, `seq`),
	FOREIGN KEY (`filing_id`) REFERENCES `filings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `filing_people` (
	`filing_id` text NOT NULL,
	`role` text NOT NULL,
	`certificate_blind` text NOT NULL,
	`mobile_blind` text,
	PRIMARY KEY(`filing_id`, `role`),
	FOREIGN KEY (`filing_id`) REFERENCES `filings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `filing_people_mobile` ON `filing_people` (`mobile_blind`);--> statement-breakpoint
CREATE TABLE `filings` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`app_id` text NOT NULL,
	`status` text NOT NULL,
	`submitter_account_id` text NOT NULL,
	`organizer_blind` text,
	`organizer_nature` text,
	`organizer_province` text,
	`service_name` text,
	`service_name_key` text,
	`request_sealed` text NOT NULL,
	`request_masked` text NOT NULL,
	`reasons` text DEFAULT '[]' NOT NULL,
	`registration_number` text,
	`sms_deadline` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`app_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitter_account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `filings_one_in_flight` ON `filings` (`app_id`) WHERE status in ('platform_review', 'sms_verification', 'bureau_review');--> statement-breakpoint
CREATE INDEX `filings_app` ON `filings` (`app_id`,`id`);--> statement-breakpoint
CREATE INDEX `filings_submitter` ON `filings` (`submitter_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `filings_status` ON `filings` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `filings_organizer` ON `filings` (`organizer_blind`,`status`);--> statement-breakpoint
CREATE INDEX `filings_service_name` ON `filings` (`service_name_key`,`status`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`filing_id` text NOT NULL,
	`response_status` integer NOT NULL,
	`response_body` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`account_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_expiry` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `organizers` (
	`id` text PRIMARY KEY NOT NULL,
	`certificate_blind` text NOT NULL,
	`nature` text NOT NULL,
	`name` text NOT NULL,
	`province` text NOT NULL,
	`organizer_number` text,
	`data_sealed` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizers_certificate` ON `organizers` (`certificate_blind`);--> statement-breakpoint
CREATE UNIQUE INDEX `organizers_number` ON `organizers` (`organizer_number`);--> statement-breakpoint
CREATE TABLE `regions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`level` text NOT NULL,
	`parent_code` text
);
--> statement-breakpoint
CREATE INDEX `regions_parent` ON `regions` (`parent_code`);--> statement-breakpoint
CREATE TABLE `registrations` (
	`number` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`organizer_id` text NOT NULL,
	`filing_id` text NOT NULL,
	`status` text NOT NULL,
	`service_name` text NOT NULL,
	`service_name_key` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`approved_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`app_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`organizer_id`) REFERENCES `organizers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `registrations_app` ON `registrations` (`app_id`,`status`);--> statement-breakpoint
CREATE INDEX `registrations_organizer` ON `registrations` (`organizer_id`,`status`);--> statement-breakpoint
CREATE INDEX `registrations_service_name` ON `registrations` (`service_name_key`,`status`);