CREATE TABLE "copy_drafts" (
	"id" serial PRIMARY KEY NOT NULL,
	"batch" text NOT NULL,
	"variant" smallint NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"content" jsonb NOT NULL,
	"rationale" text NOT NULL,
	"request" text NOT NULL,
	"segment" text NOT NULL,
	"segment_definition" jsonb NOT NULL,
	"facts" jsonb NOT NULL,
	"product_ids" jsonb NOT NULL,
	"writer" text NOT NULL,
	"seed" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acted_by" text,
	"acted_at" timestamp with time zone,
	"replaces" integer
);
--> statement-breakpoint
CREATE INDEX "copy_drafts_batch" ON "copy_drafts" USING btree ("batch");--> statement-breakpoint
CREATE INDEX "copy_drafts_status" ON "copy_drafts" USING btree ("status","created_at");