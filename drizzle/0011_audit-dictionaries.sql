-- Audit events stored compactly (issue 19): who acted, for which organization and from where
-- (audit_contexts) and what was acted on (audit_subjects) kept once each, every event row holding their
-- ids (audit_event_rows), and the view audit_events joining them back into the columns every reader
-- reads (lib/db/schema/audit-events.ts). The leaves' lookup by hash moves to a btree of 8-byte keys.
CREATE TABLE "audit_contexts" (
	"id" serial PRIMARY KEY NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"org_id" uuid,
	"source_kind" text NOT NULL,
	"source_ip" text,
	"source_user_agent" text,
	"digest" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_event_rows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"context_id" integer NOT NULL,
	"subject_id" integer NOT NULL,
	"outcome" text NOT NULL,
	"details" json DEFAULT '{}'::json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_subjects" (
	"id" serial PRIMARY KEY NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"extension_id" uuid,
	"digest" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_contexts_digest_idx" ON "audit_contexts" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "audit_contexts_actor_idx" ON "audit_contexts" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "audit_contexts_org_idx" ON "audit_contexts" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_subjects_digest_idx" ON "audit_subjects" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "audit_subjects_extension_idx" ON "audit_subjects" USING btree ("extension_id");--> statement-breakpoint
-- The dictionaries' keys: SHA-256 of the values as one JSON array (nulls and separators unambiguous).
CREATE FUNCTION "audit_context_digest"(actor_kind text, actor_id text, org_id uuid, source_kind text, source_ip text, source_user_agent text)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(convert_to(json_build_array(actor_kind, actor_id, org_id, source_kind, source_ip, source_user_agent)::text, 'UTF8')) $$;
--> statement-breakpoint
CREATE FUNCTION "audit_subject_digest"(action text, target text, extension_id uuid)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT sha256(convert_to(json_build_array(action, target, extension_id)::text, 'UTF8')) $$;
--> statement-breakpoint
-- The id of a context, added when it is new. A writer racing another to add the same one waits for it
-- (the unique digest) and then reads the row it added.
CREATE FUNCTION "audit_context_id"(p_actor_kind text, p_actor_id text, p_org_id uuid, p_source_kind text, p_source_ip text, p_source_user_agent text)
RETURNS integer LANGUAGE plpgsql
AS $$
DECLARE
  key bytea := audit_context_digest(p_actor_kind, p_actor_id, p_org_id, p_source_kind, p_source_ip, p_source_user_agent);
  context integer;
BEGIN
  SELECT id INTO context FROM audit_contexts WHERE digest = key;
  IF context IS NULL THEN
    INSERT INTO audit_contexts (actor_kind, actor_id, org_id, source_kind, source_ip, source_user_agent, digest)
      VALUES (p_actor_kind, p_actor_id, p_org_id, p_source_kind, p_source_ip, p_source_user_agent, key)
      ON CONFLICT (digest) DO NOTHING RETURNING id INTO context;
    IF context IS NULL THEN
      SELECT id INTO context FROM audit_contexts WHERE digest = key;
    END IF;
  END IF;
  RETURN context;
END $$;
--> statement-breakpoint
CREATE FUNCTION "audit_subject_id"(p_action text, p_target text, p_extension_id uuid)
RETURNS integer LANGUAGE plpgsql
AS $$
DECLARE
  key bytea := audit_subject_digest(p_action, p_target, p_extension_id);
  subject integer;
BEGIN
  SELECT id INTO subject FROM audit_subjects WHERE digest = key;
  IF subject IS NULL THEN
    INSERT INTO audit_subjects (action, target, extension_id, digest)
      VALUES (p_action, p_target, p_extension_id, key)
      ON CONFLICT (digest) DO NOTHING RETURNING id INTO subject;
    IF subject IS NULL THEN
      SELECT id INTO subject FROM audit_subjects WHERE digest = key;
    END IF;
  END IF;
  RETURN subject;
END $$;
--> statement-breakpoint
-- The events logged so far, in the new shape, keeping their ids and the id sequence where it was.
INSERT INTO "audit_contexts" ("actor_kind", "actor_id", "org_id", "source_kind", "source_ip", "source_user_agent", "digest")
SELECT d.*, audit_context_digest(d.actor_kind, d.actor_id, d.org_id, d.source_kind, d.source_ip, d.source_user_agent)
FROM (SELECT DISTINCT "actor_kind", "actor_id", "org_id", "source_kind", "source_ip", "source_user_agent" FROM "audit_events") AS d;--> statement-breakpoint
INSERT INTO "audit_subjects" ("action", "target", "extension_id", "digest")
SELECT d.*, audit_subject_digest(d.action, d.target, d.extension_id)
FROM (SELECT DISTINCT "action", "target", "extension_id" FROM "audit_events") AS d;--> statement-breakpoint
INSERT INTO "audit_event_rows" ("id", "occurred_at", "context_id", "subject_id", "outcome", "details")
SELECT e."id", e."occurred_at", c."id", s."id", e."outcome", e."details"
FROM "audit_events" e
JOIN "audit_contexts" c ON c."digest" = audit_context_digest(e."actor_kind", e."actor_id", e."org_id", e."source_kind", e."source_ip", e."source_user_agent")
JOIN "audit_subjects" s ON s."digest" = audit_subject_digest(e."action", e."target", e."extension_id")
ORDER BY e."id";--> statement-breakpoint
SELECT setval('audit_event_rows_id_seq', last_value, is_called) FROM "audit_events_id_seq";--> statement-breakpoint
DROP TABLE "audit_events" CASCADE;--> statement-breakpoint
CREATE INDEX "audit_event_rows_occurred_idx" ON "audit_event_rows" USING brin ("occurred_at");--> statement-breakpoint
CREATE INDEX "audit_event_rows_context_idx" ON "audit_event_rows" USING btree ("context_id");--> statement-breakpoint
CREATE INDEX "audit_event_rows_subject_idx" ON "audit_event_rows" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "audit_event_rows_not_success_idx" ON "audit_event_rows" USING btree ("outcome","id") WHERE "audit_event_rows"."outcome" <> 'success';--> statement-breakpoint
-- The first 8 bytes of a leaf hash as a bigint: the key of the lookup by hash, which then compares the
-- whole hash (random bytes, so 8 of them tell leaves apart but for about one pair in 2^64).
CREATE FUNCTION "audit_leaf_key"(leaf_hash bytea) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ('x' || encode(substring(leaf_hash FROM 1 FOR 8), 'hex'))::bit(64)::bigint $$;
--> statement-breakpoint
DROP INDEX "audit_leaves_hash_idx";--> statement-breakpoint
CREATE INDEX "audit_leaves_key_idx" ON "audit_leaves" USING btree (audit_leaf_key("leaf_hash"));--> statement-breakpoint
-- Keys that only grow: every page but the last is full.
ALTER INDEX "audit_event_rows_pkey" SET (fillfactor = 100);--> statement-breakpoint
ALTER INDEX "audit_leaves_pkey" SET (fillfactor = 100);--> statement-breakpoint
ALTER INDEX "audit_leaves_event_idx" SET (fillfactor = 100);--> statement-breakpoint
CREATE VIEW "audit_events" AS
SELECT r."id", r."occurred_at", c."actor_kind", c."actor_id", s."action", s."target", s."extension_id", c."org_id",
  c."source_kind", c."source_ip", c."source_user_agent", r."outcome", r."details"
FROM "audit_event_rows" r
JOIN "audit_contexts" c ON c."id" = r."context_id"
JOIN "audit_subjects" s ON s."id" = r."subject_id";--> statement-breakpoint
ALTER VIEW "audit_events" ALTER COLUMN "id" SET DEFAULT nextval('audit_event_rows_id_seq');--> statement-breakpoint
ALTER VIEW "audit_events" ALTER COLUMN "occurred_at" SET DEFAULT now();--> statement-breakpoint
ALTER VIEW "audit_events" ALTER COLUMN "details" SET DEFAULT '{}'::json;--> statement-breakpoint
-- A row written to the view by hand (an operator's fix, a test) changes the stored event the same way.
CREATE FUNCTION "audit_events_write"() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM audit_event_rows WHERE id = OLD.id;
    RETURN OLD;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO audit_event_rows (id, occurred_at, context_id, subject_id, outcome, details)
      VALUES (coalesce(NEW.id, nextval('audit_event_rows_id_seq')), coalesce(NEW.occurred_at, now()),
        audit_context_id(NEW.actor_kind, NEW.actor_id, NEW.org_id, NEW.source_kind, NEW.source_ip, NEW.source_user_agent),
        audit_subject_id(NEW.action, NEW.target, NEW.extension_id), NEW.outcome, coalesce(NEW.details, '{}'::json))
      RETURNING id, occurred_at, details INTO NEW.id, NEW.occurred_at, NEW.details;
    RETURN NEW;
  END IF;
  UPDATE audit_event_rows SET id = NEW.id, occurred_at = NEW.occurred_at,
      context_id = audit_context_id(NEW.actor_kind, NEW.actor_id, NEW.org_id, NEW.source_kind, NEW.source_ip, NEW.source_user_agent),
      subject_id = audit_subject_id(NEW.action, NEW.target, NEW.extension_id), outcome = NEW.outcome, details = NEW.details
    WHERE id = OLD.id;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "audit_events_write" INSTEAD OF INSERT OR UPDATE OR DELETE ON "audit_events"
FOR EACH ROW EXECUTE FUNCTION "audit_events_write"();
