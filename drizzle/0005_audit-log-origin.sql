CREATE TABLE "audit_log" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"origin" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_one_row" CHECK ("audit_log"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "audit_anchors" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_anchors" ADD COLUMN "submitted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_anchors" ADD COLUMN "block_number" bigint;