CREATE TABLE `public_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`change` text NOT NULL,
	`at` text NOT NULL,
	`service_licence` text NOT NULL,
	`main_licence` text NOT NULL,
	`unit_name` text NOT NULL,
	`nature_name` text NOT NULL,
	`service_name` text NOT NULL,
	`service_type` integer NOT NULL,
	`content_type_name` text NOT NULL,
	`update_record_time` text NOT NULL,
	`status` text NOT NULL,
	`redacted` text NOT NULL
);
