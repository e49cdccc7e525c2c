DROP INDEX `claims_claimant_idx`;--> statement-breakpoint
CREATE INDEX `claims_claimant_violation_idx` ON `claims` (`claimant`,`violation`,`registered_at`);