ALTER TABLE "audit_nodes" ADD COLUMN "below" "bytea";--> statement-breakpoint
-- Pack the nodes at levels 1 to 3 of every complete 16-leaf subtree into its level-4 row (level 1's 8,
-- level 2's 4, level 3's 2, each by index), then drop their own rows (lib/audit/node-blocks.ts).
UPDATE "audit_nodes" n SET "below" = p."below"
FROM (
  SELECT "idx" >> (4 - "level") AS "block", string_agg("hash", ''::bytea ORDER BY "level", "idx") AS "below", count(*) AS "nodes"
  FROM "audit_nodes" WHERE "level" BETWEEN 1 AND 3 GROUP BY 1
) p
WHERE n."level" = 4 AND n."idx" = p."block" AND p."nodes" = 14;--> statement-breakpoint
DELETE FROM "audit_nodes" l USING "audit_nodes" n
WHERE l."level" BETWEEN 1 AND 3 AND n."level" = 4 AND n."below" IS NOT NULL AND n."idx" = l."idx" >> (4 - l."level");
