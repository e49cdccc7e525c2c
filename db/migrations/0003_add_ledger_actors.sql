CREATE TABLE `actors` (
	`actor_id` text PRIMARY KEY NOT NULL,
	`user_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actors_user_key_unique` ON `actors` (`user_key`);