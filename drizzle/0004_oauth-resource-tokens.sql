CREATE TABLE "oauth_resource_tokens" (
	"connection_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"dek_id" uuid NOT NULL,
	"access_token" "bytea" NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"expires_at" timestamp with time zone,
	"issued_at" timestamp with time zone,
	"token_version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_resource_tokens_connection_id_resource_pk" PRIMARY KEY("connection_id","resource")
);
--> statement-breakpoint
ALTER TABLE "oauth_connections" ADD COLUMN "token_resource" text;--> statement-breakpoint
ALTER TABLE "oauth_resource_tokens" ADD CONSTRAINT "oauth_resource_tokens_connection_id_oauth_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."oauth_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_resource_tokens" ADD CONSTRAINT "oauth_resource_tokens_dek_id_data_keys_id_fk" FOREIGN KEY ("dek_id") REFERENCES "public"."data_keys"("id") ON DELETE restrict ON UPDATE no action;