CREATE TABLE "conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"last_command" text,
	"last_args" jsonb,
	"last_result" jsonb,
	"turns" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_features" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"spend" numeric(16, 2) NOT NULL,
	"orders" integer NOT NULL,
	"first_purchase_at" timestamp with time zone,
	"last_purchase_at" timestamp with time zone,
	"recency_days" integer,
	"tenure_days" integer,
	"avg_order_value" numeric(16, 2),
	"distinct_products" integer NOT NULL,
	"returns" integer NOT NULL,
	"country" text,
	"r_score" smallint,
	"f_score" smallint,
	"m_score" smallint,
	"lifecycle" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"country" text,
	"first_seen_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "events" (
	"batch_id" integer NOT NULL,
	"line_no" integer NOT NULL,
	"kind" text NOT NULL,
	"invoice" text,
	"customer_id" text,
	"product_id" text,
	"quantity" integer NOT NULL,
	"unit_price" numeric(14, 4),
	"occurred_at" timestamp with time zone NOT NULL,
	"country" text
);
--> statement-breakpoint
CREATE TABLE "import_batches" (
	"id" serial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"format" text NOT NULL,
	"content_hash" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_imported" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"category" text DEFAULT 'Other' NOT NULL,
	"unit_price" numeric(14, 4),
	"first_seen_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rejected_rows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"batch_id" integer NOT NULL,
	"line_no" integer NOT NULL,
	"raw" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rejected_rows" ADD CONSTRAINT "rejected_rows_batch_id_import_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."import_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_features_country" ON "customer_features" USING btree ("country");--> statement-breakpoint
CREATE INDEX "customer_features_lifecycle" ON "customer_features" USING btree ("lifecycle");--> statement-breakpoint
CREATE INDEX "events_customer" ON "events" USING btree ("customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "import_batches_content_hash_done" ON "import_batches" USING btree ("content_hash") WHERE status = 'done';--> statement-breakpoint
CREATE INDEX "rejected_rows_batch" ON "rejected_rows" USING btree ("batch_id","line_no");