ALTER TABLE "audit_events" ALTER COLUMN "details" SET DATA TYPE json USING "details"::json;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "details" SET DEFAULT '{}'::json;