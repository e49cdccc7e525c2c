-- Claims, cases, timers and policy versions are never deleted, so their rowids are already
-- max+1 without AUTOINCREMENT, whose bookkeeping (sqlite_sequence) cost every insert a page
-- write. The outbox keeps it: a message sent to a forgotten person is deleted, and its id
-- must not come back.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_claims` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`claimant` text NOT NULL,
	`route` text NOT NULL,
	`product_line` text NOT NULL,
	`opp_name` text NOT NULL,
	`opp_stage` text NOT NULL,
	`opp_amount` real,
	`evidence` text NOT NULL,
	`status` text NOT NULL,
	`registered_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`protected_until` integer,
	`policy_version` text NOT NULL,
	`created_by` text NOT NULL,
	`contested` integer DEFAULT false NOT NULL,
	`violation` integer DEFAULT false NOT NULL,
	`request_key` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_claims`("id", "account_id", "claimant", "route", "product_line", "opp_name", "opp_stage", "opp_amount", "evidence", "status", "registered_at", "last_activity_at", "protected_until", "policy_version", "created_by", "contested", "violation", "request_key") SELECT "id", "account_id", "claimant", "route", "product_line", "opp_name", "opp_stage", "opp_amount", "evidence", "status", "registered_at", "last_activity_at", "protected_until", "policy_version", "created_by", "contested", "violation", "request_key" FROM `claims`;--> statement-breakpoint
DROP TABLE `claims`;--> statement-breakpoint
ALTER TABLE `__new_claims` RENAME TO `claims`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `claims_account_idx` ON `claims` (`account_id`,`product_line`);--> statement-breakpoint
CREATE INDEX `claims_claimant_violation_idx` ON `claims` (`claimant`,`violation`,`registered_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `claims_request_key_idx` ON `claims` (`request_key`);--> statement-breakpoint
CREATE TABLE `__new_disputes` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`product_line` text NOT NULL,
	`status` text NOT NULL,
	`claim_ids` text NOT NULL,
	`parties` text NOT NULL,
	`raised_by` text NOT NULL,
	`raised_as` text,
	`reason` text NOT NULL,
	`evidence` text NOT NULL,
	`origin` text,
	`coverage_name` text NOT NULL,
	`arbitrator` text NOT NULL,
	`escalation_level` integer DEFAULT 0 NOT NULL,
	`recommendation` text,
	`recommendation_rule` text,
	`trace` text NOT NULL,
	`policy_version` text NOT NULL,
	`created_at` integer NOT NULL,
	`due_at` integer,
	`ruled_by` text,
	`ruled_at` integer,
	`winner` text,
	`rationale` text,
	`request_key` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_disputes`("id", "account_id", "product_line", "status", "claim_ids", "parties", "raised_by", "raised_as", "reason", "evidence", "origin", "coverage_name", "arbitrator", "escalation_level", "recommendation", "recommendation_rule", "trace", "policy_version", "created_at", "due_at", "ruled_by", "ruled_at", "winner", "rationale", "request_key") SELECT "id", "account_id", "product_line", "status", "claim_ids", "parties", "raised_by", "raised_as", "reason", "evidence", "origin", "coverage_name", "arbitrator", "escalation_level", "recommendation", "recommendation_rule", "trace", "policy_version", "created_at", "due_at", "ruled_by", "ruled_at", "winner", "rationale", "request_key" FROM `disputes`;--> statement-breakpoint
DROP TABLE `disputes`;--> statement-breakpoint
ALTER TABLE `__new_disputes` RENAME TO `disputes`;--> statement-breakpoint
CREATE INDEX `disputes_account_idx` ON `disputes` (`account_id`);--> statement-breakpoint
CREATE INDEX `disputes_status_idx` ON `disputes` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_request_key_idx` ON `disputes` (`request_key`);--> statement-breakpoint
CREATE TABLE `__new_policy_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` text NOT NULL,
	`effective` text NOT NULL,
	`source_hash` text NOT NULL,
	`body` text NOT NULL,
	`loaded_at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_policy_versions`("id", "version", "effective", "source_hash", "body", "loaded_at") SELECT "id", "version", "effective", "source_hash", "body", "loaded_at" FROM `policy_versions`;--> statement-breakpoint
DROP TABLE `policy_versions`;--> statement-breakpoint
ALTER TABLE `__new_policy_versions` RENAME TO `policy_versions`;--> statement-breakpoint
CREATE UNIQUE INDEX `policy_versions_version_idx` ON `policy_versions` (`version`);--> statement-breakpoint
CREATE TABLE `__new_timers` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`due_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`fired_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_timers`("id", "kind", "subject", "due_at", "status", "payload", "attempts", "last_error", "created_at", "fired_at") SELECT "id", "kind", "subject", "due_at", "status", "payload", "attempts", "last_error", "created_at", "fired_at" FROM `timers`;--> statement-breakpoint
DROP TABLE `timers`;--> statement-breakpoint
ALTER TABLE `__new_timers` RENAME TO `timers`;--> statement-breakpoint
CREATE INDEX `timers_due_idx` ON `timers` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `timers_subject_idx` ON `timers` (`subject`);