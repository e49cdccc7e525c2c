ALTER TABLE `partners` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `partners` ADD `closed_slack_team_id` text;--> statement-breakpoint
ALTER TABLE `partners` ADD `closed_teams_tenant_id` text;--> statement-breakpoint
-- A partner closed before this release (its partner.closed entry, its workspaces unlinked since) is recorded closed then.
UPDATE `partners` SET `closed_at` = (SELECT CAST(round((julianday(max(`at`)) - 2440587.5) * 86400000) AS integer) FROM `ledger` WHERE `kind` = 'partner.closed' AND `subject` = 'partner:' || `partners`.`id`) WHERE `slack_team_id` IS NULL AND `teams_tenant_id` IS NULL;
