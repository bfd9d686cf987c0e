ALTER TABLE `filings` ADD `service_name_skeleton` text;--> statement-breakpoint
CREATE INDEX `filings_service_name_skeleton` ON `filings` (`service_name_skeleton`,`status`);--> statement-breakpoint
ALTER TABLE `registrations` ADD `service_name_skeleton` text;--> statement-breakpoint
CREATE INDEX `registrations_service_name_skeleton` ON `registrations` (`service_name_skeleton`,`status`);