CREATE TABLE "rec_items" (
	"model_id" integer NOT NULL,
	"item_id" text NOT NULL,
	"popularity" real NOT NULL,
	"trending" boolean NOT NULL,
	"cf_ids" text[] NOT NULL,
	"cf_weights" real[] NOT NULL,
	"content_ids" text[] NOT NULL,
	"content_weights" real[] NOT NULL,
	CONSTRAINT "rec_items_model_id_item_id_pk" PRIMARY KEY("model_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "rec_models" (
	"id" serial PRIMARY KEY NOT NULL,
	"trained_at" timestamp with time zone DEFAULT now() NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"params" jsonb NOT NULL,
	"summary" jsonb NOT NULL,
	"customers" integer NOT NULL,
	"items" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rec_items" ADD CONSTRAINT "rec_items_model_id_rec_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."rec_models"("id") ON DELETE cascade ON UPDATE no action;