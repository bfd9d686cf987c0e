CREATE TABLE `enforcement_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`chunk` text NOT NULL,
	`app_id` text DEFAULT '' NOT NULL,
	`filing_id` text DEFAULT '' NOT NULL,
	`policy_id` text DEFAULT '' NOT NULL,
	`action` text NOT NULL,
	`offset_days` integer DEFAULT 0 NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enforcement_actions_once` ON `enforcement_actions` (`action`,`policy_id`,`app_id`,`filing_id`,`offset_days`,`detail`);--> statement-breakpoint
CREATE INDEX `enforcement_actions_chunk` ON `enforcement_actions` (`chunk`);--> statement-breakpoint
CREATE INDEX `enforcement_actions_app` ON `enforcement_actions` (`app_id`);--> statement-breakpoint
CREATE TABLE `enforcement_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`scheduled_time` text NOT NULL,
	`lease_owner` text NOT NULL,
	`lease_expires_at` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`completed` integer DEFAULT false NOT NULL,
	`counts` text DEFAULT '{}' NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enforcement_runs_scheduled` ON `enforcement_runs` (`scheduled_time`);--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`listed_before` text NOT NULL,
	`deadline` text NOT NULL,
	`reminder_days` text NOT NULL,
	`action` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`next_attempt_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_account` ON `webhook_deliveries` (`account_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`account_id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`previous_secret_sealed` text,
	`previous_secret_expires_at` text,
	`disabled_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `apps_listed` ON `apps` (`listing_status`,`app_id`);--> statement-breakpoint
CREATE INDEX `events_undispatched` ON `events` (`seq`) WHERE dispatched_at is null;--> statement-breakpoint
-- The 2023 notice (工信部信管〔2023〕105号): apps listed before 2023-09-01 00:00 Beijing time had to be filed by
-- 2024-03-31 23:59:59 Beijing time; reminders 30, 7 and 1 days before; unfiled apps delisted after.
INSERT INTO `policies` (`id`, `name`, `listed_before`, `deadline`, `reminder_days`, `action`, `active`, `created_at`, `updated_at`)
VALUES ('pol_2023_notice', '工信部信管〔2023〕105号 存量小程序备案', '2023-08-31T16:00:00.000Z', '2024-03-31T15:59:59.000Z', '[30,7,1]', 'delist', 1, '2023-08-04T00:00:00.000Z', '2023-08-04T00:00:00.000Z')
ON CONFLICT (`id`) DO NOTHING;
