CREATE TABLE "source_scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"extension_id" uuid NOT NULL,
	"archive_sha256" text NOT NULL,
	"archive_bytes" integer NOT NULL,
	"archive_format" text NOT NULL,
	"archive_files" integer NOT NULL,
	"scanned_files" integer NOT NULL,
	"scanner_version" text NOT NULL,
	"blocking" integer NOT NULL,
	"warnings" integer NOT NULL,
	"exceptions" integer NOT NULL,
	"baselined" integer NOT NULL,
	"manifest_checked" boolean DEFAULT true NOT NULL,
	"findings" jsonb NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_scans_version_id_unique" UNIQUE("version_id")
);
--> statement-breakpoint
ALTER TABLE "source_scans" ADD CONSTRAINT "source_scans_version_id_extension_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."extension_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_scans" ADD CONSTRAINT "source_scans_extension_id_extensions_id_fk" FOREIGN KEY ("extension_id") REFERENCES "public"."extensions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_scans" ADD CONSTRAINT "source_scans_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "source_scans_extension_idx" ON "source_scans" USING btree ("extension_id");