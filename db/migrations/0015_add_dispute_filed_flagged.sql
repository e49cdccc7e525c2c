ALTER TABLE `disputes` ADD `filed_flagged` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `disputes` SET `filed_flagged` = 1 WHERE `reason` LIKE '%Filed while the partner was flagged for repeated violations: a flagged partner’s claims need an arbitrator’s approval.%' OR `reason` LIKE '%The partner is flagged for repeated violations: its claims need approval.%';
