-- The change feed (docs/rules.md#public-lookup): every insert into public_records and every update that changes a
-- public field writes one public_changes row with the record as it is after the change, inside the statement that
-- makes it — so in the same batch, whichever writer it is (approval, change, cancellation, revocation, access removal,
-- bureau sync, import, reinstatement), and in commit order (D1 runs one batch at a time; `seq` is AUTOINCREMENT).
-- Records that exist already are written first, each as it stands now, so a mirror built from the feed starts whole.
INSERT INTO `public_changes` (`change`, `at`, `service_licence`, `main_licence`, `unit_name`, `nature_name`,
    `service_name`, `service_type`, `content_type_name`, `update_record_time`, `status`, `redacted`)
  SELECT CASE WHEN `status` = 'active' THEN 'issued' ELSE `status` END, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    `service_licence`, `main_licence`, `unit_name`, `nature_name`, `service_name`, `service_type`,
    `content_type_name`, `update_record_time`, `status`, `redacted`
  FROM `public_records` ORDER BY rowid;
--> statement-breakpoint
CREATE TRIGGER `public_records_change_insert` AFTER INSERT ON `public_records` BEGIN
  INSERT INTO `public_changes` (`change`, `at`, `service_licence`, `main_licence`, `unit_name`, `nature_name`,
      `service_name`, `service_type`, `content_type_name`, `update_record_time`, `status`, `redacted`)
    VALUES (CASE WHEN new.status = 'active' THEN 'issued' ELSE new.status END, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      new.service_licence, new.main_licence, new.unit_name, new.nature_name, new.service_name, new.service_type,
      new.content_type_name, new.update_record_time, new.status, new.redacted);
END;
--> statement-breakpoint
CREATE TRIGGER `public_records_change_update` AFTER UPDATE ON `public_records`
  WHEN old.main_licence IS NOT new.main_licence OR old.unit_name IS NOT new.unit_name
    OR old.nature_name IS NOT new.nature_name OR old.service_name IS NOT new.service_name
    OR old.service_type IS NOT new.service_type OR old.content_type_name IS NOT new.content_type_name
    OR old.update_record_time IS NOT new.update_record_time OR old.status IS NOT new.status
    OR old.redacted IS NOT new.redacted OR old.service_licence IS NOT new.service_licence
BEGIN
  INSERT INTO `public_changes` (`change`, `at`, `service_licence`, `main_licence`, `unit_name`, `nature_name`,
      `service_name`, `service_type`, `content_type_name`, `update_record_time`, `status`, `redacted`)
    VALUES (
      CASE WHEN old.status = new.status THEN 'updated' WHEN new.status = 'active' THEN 'reinstated' ELSE new.status END,
      strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      new.service_licence, new.main_licence, new.unit_name, new.nature_name, new.service_name, new.service_type,
      new.content_type_name, new.update_record_time, new.status, new.redacted);
END;
