CREATE TABLE `coverage_days` (
	`scope` text NOT NULL,
	`day` text NOT NULL,
	`covered` integer NOT NULL,
	`filed` integer NOT NULL,
	`unfiled` integer NOT NULL,
	`reminded` integer NOT NULL,
	`delisted` integer NOT NULL,
	`relisted` integer NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`scope`, `day`)
);
--> statement-breakpoint
CREATE INDEX `coverage_days_day` ON `coverage_days` (`day`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_status` ON `webhook_deliveries` (`status`,`id`);