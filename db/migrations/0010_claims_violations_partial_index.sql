DROP INDEX `claims_claimant_violation_idx`;--> statement-breakpoint
CREATE INDEX `claims_violations_idx` ON `claims` (`claimant`,`registered_at`) WHERE violation = 1;