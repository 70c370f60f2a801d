CREATE TABLE "segments" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"definition" jsonb NOT NULL,
	"description" text NOT NULL,
	"request" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_count" integer,
	CONSTRAINT "segments_name_key_unique" UNIQUE("name_key")
);
