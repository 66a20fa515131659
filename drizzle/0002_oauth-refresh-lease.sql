ALTER TABLE "oauth_connections" ADD COLUMN "refresh_lease_holder" text;--> statement-breakpoint
ALTER TABLE "oauth_connections" ADD COLUMN "refresh_lease_until" timestamp with time zone;