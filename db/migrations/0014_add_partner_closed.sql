ALTER TABLE `partners` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `partners` ADD `closed_slack_team_id` text;--> statement-breakpoint
ALTER TABLE `partners` ADD `closed_teams_tenant_id` text;--> statement-breakpoint
-- A partner closed before this release (its partner.closed entry, its workspaces unlinked since) is recorded closed then.
-- The ledger is read once for those entries (not once per partner with no workspace: a year's ledger takes seconds a read).
UPDATE `partners` SET `closed_at` = `c`.`at` FROM (SELECT `subject`, CAST(round((julianday(max(`at`)) - 2440587.5) * 86400000) AS integer) AS `at` FROM `ledger` WHERE `kind` = 'partner.closed' GROUP BY `subject`) AS `c` WHERE `c`.`subject` = 'partner:' || `partners`.`id` AND `partners`.`slack_team_id` IS NULL AND `partners`.`teams_tenant_id` IS NULL;
