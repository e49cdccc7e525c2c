CREATE TABLE `case_cards` (
	`channel` text NOT NULL,
	`ts` text NOT NULL,
	`dispute_id` integer NOT NULL,
	`user` text NOT NULL,
	`person` text NOT NULL,
	PRIMARY KEY(`channel`, `ts`)
);
--> statement-breakpoint
CREATE INDEX `case_cards_dispute_idx` ON `case_cards` (`dispute_id`);