CREATE TABLE `registry_exports` (
	`date` text PRIMARY KEY NOT NULL,
	`started_at` text NOT NULL,
	`cursor` text,
	`parts` text DEFAULT '[]' NOT NULL,
	`part_count` integer DEFAULT 0 NOT NULL,
	`rows` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`text_crc32` integer DEFAULT 0 NOT NULL,
	`text_bytes` integer DEFAULT 0 NOT NULL,
	`sha256` text,
	`finished_at` text
);
