CREATE TABLE "audit_archives" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"file" text NOT NULL,
	"first_leaf" bigint NOT NULL,
	"last_leaf" bigint NOT NULL,
	"events" integer NOT NULL,
	"sha256" "bytea" NOT NULL,
	"bytes" bigint NOT NULL,
	"last_occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_archives_file_unique" UNIQUE("file")
);
