ALTER TABLE `audit_log` ADD `key_id` text;--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);