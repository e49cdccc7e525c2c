CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`aliases` text DEFAULT '[]' NOT NULL,
	`domains` text DEFAULT '[]' NOT NULL,
	`segment` text,
	`region` text,
	`tier` text,
	`is_customer` integer DEFAULT false NOT NULL,
	`incumbent_partner_id` text,
	`named_owner` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `claims` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
	`violation` integer DEFAULT false NOT NULL,
	`request_key` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `claims_account_idx` ON `claims` (`account_id`,`product_line`);--> statement-breakpoint
CREATE INDEX `claims_claimant_idx` ON `claims` (`claimant`);--> statement-breakpoint
CREATE UNIQUE INDEX `claims_request_key_idx` ON `claims` (`request_key`);--> statement-breakpoint
CREATE TABLE `disputes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`product_line` text NOT NULL,
	`status` text NOT NULL,
	`claim_ids` text NOT NULL,
	`parties` text NOT NULL,
	`raised_by` text NOT NULL,
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
CREATE INDEX `disputes_account_idx` ON `disputes` (`account_id`);--> statement-breakpoint
CREATE INDEX `disputes_status_idx` ON `disputes` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_request_key_idx` ON `disputes` (`request_key`);--> statement-breakpoint
CREATE TABLE `ledger` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`actor` text NOT NULL,
	`policy_version` text,
	`payload` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`target` text NOT NULL,
	`body` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_idx` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`tier` text,
	`slack_team_id` text,
	`teams_tenant_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `people` (
	`user_key` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`display_name` text NOT NULL,
	`partner_id` text,
	`person_key` text,
	`conversation_ref` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `people_person_key_idx` ON `people` (`person_key`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` text NOT NULL,
	`effective` text NOT NULL,
	`source_hash` text NOT NULL,
	`body` text NOT NULL,
	`loaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_versions_version_idx` ON `policy_versions` (`version`);--> statement-breakpoint
CREATE TABLE `timers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
CREATE INDEX `timers_due_idx` ON `timers` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `timers_subject_idx` ON `timers` (`subject`);