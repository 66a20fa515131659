CREATE TABLE "audit_daily_counts" (
	"day" date NOT NULL,
	"extension_id" uuid,
	"outcome" text NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "audit_daily_counts_key" UNIQUE NULLS NOT DISTINCT("day","extension_id","outcome")
);
--> statement-breakpoint
CREATE TABLE "audit_sequencer_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"swept_to" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "audit_sequencer_state_one_row" CHECK ("audit_sequencer_state"."id" = 1)
);
--> statement-breakpoint
DROP INDEX "audit_events_occurred_idx";--> statement-breakpoint
DROP INDEX "audit_events_extension_idx";--> statement-breakpoint
DROP INDEX "audit_events_org_idx";--> statement-breakpoint
DROP INDEX "audit_events_actor_idx";--> statement-breakpoint
DROP INDEX "audit_leaves_hash_idx";--> statement-breakpoint
CREATE INDEX "audit_events_not_success_idx" ON "audit_events" USING btree ("outcome","id") WHERE "audit_events"."outcome" <> 'success';--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING brin ("occurred_at");--> statement-breakpoint
CREATE INDEX "audit_events_extension_idx" ON "audit_events" USING btree ("extension_id");--> statement-breakpoint
CREATE INDEX "audit_events_org_idx" ON "audit_events" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "audit_leaves_hash_idx" ON "audit_leaves" USING hash ("leaf_hash");--> statement-breakpoint
ALTER TABLE "audit_leaves" DROP COLUMN "sequenced_at";--> statement-breakpoint
-- The counts of the events sequenced so far; the sequencer counts every later one as it sequences it.
INSERT INTO "audit_daily_counts" ("day", "extension_id", "outcome", "events")
SELECT (e."occurred_at" AT TIME ZONE 'UTC')::date, e."extension_id", e."outcome", count(*)
FROM "audit_events" e WHERE EXISTS (SELECT 1 FROM "audit_leaves" l WHERE l."event_id" = e."id")
GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO "audit_sequencer_state" ("id", "swept_to") VALUES (1, 0);
