ALTER TABLE "conversations" ADD COLUMN "tag_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
UPDATE "conversations" AS c SET "tag_ids" = t.ids FROM (SELECT "conversation_id", array_agg("tag_id" ORDER BY "created_at", "tag_id") AS ids FROM "conversation_tags" GROUP BY "conversation_id") AS t WHERE t."conversation_id" = c."id";
