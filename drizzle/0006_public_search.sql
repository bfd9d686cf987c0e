-- Contains-search over service and organization names (SPEC §8) through an FTS5 trigram index, so a query of three
-- or more characters reads only matching rows; shorter ones use the name indexes' prefix ranges instead.
-- An external-content table: the names live once, in public_records; triggers keep the index in step.
CREATE VIRTUAL TABLE `public_records_fts` USING fts5(
  `service_name_key`, `unit_name_key`, content='public_records', content_rowid='rowid', tokenize='trigram'
);
--> statement-breakpoint
INSERT INTO `public_records_fts` (`rowid`, `service_name_key`, `unit_name_key`)
  SELECT rowid, service_name_key, unit_name_key FROM `public_records`;
--> statement-breakpoint
CREATE TRIGGER `public_records_fts_insert` AFTER INSERT ON `public_records` BEGIN
  INSERT INTO `public_records_fts` (`rowid`, `service_name_key`, `unit_name_key`)
    VALUES (new.rowid, new.service_name_key, new.unit_name_key);
END;
--> statement-breakpoint
CREATE TRIGGER `public_records_fts_delete` AFTER DELETE ON `public_records` BEGIN
  INSERT INTO `public_records_fts` (`public_records_fts`, `rowid`, `service_name_key`, `unit_name_key`)
    VALUES ('delete', old.rowid, old.service_name_key, old.unit_name_key);
END;
--> statement-breakpoint
CREATE TRIGGER `public_records_fts_update` AFTER UPDATE OF `service_name_key`, `unit_name_key` ON `public_records` BEGIN
  INSERT INTO `public_records_fts` (`public_records_fts`, `rowid`, `service_name_key`, `unit_name_key`)
    VALUES ('delete', old.rowid, old.service_name_key, old.unit_name_key);
  INSERT INTO `public_records_fts` (`rowid`, `service_name_key`, `unit_name_key`)
    VALUES (new.rowid, new.service_name_key, new.unit_name_key);
END;
