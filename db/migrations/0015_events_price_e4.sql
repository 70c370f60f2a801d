-- Event prices become whole ten-thousandths in a bigint: the same values as numeric(14,4), summed in integer
-- arithmetic. The feature refresh's groupings sum quantity x price over every line, and on a copy of the
-- Online Retail events these took 15-40% less time with bigint (a plain sum 57-78 ms against 139-236 ms).
-- The table is rebuilt rather than altered: a dropped column stays in every row as a null, which gives every
-- row a null bitmap (8 bytes more for most of them). Written by hand (drizzle-kit would add and drop).
CREATE TABLE "events_price_e4" (
	"batch_id" integer NOT NULL,
	"line_no" integer NOT NULL,
	"kind" text NOT NULL,
	"invoice" text,
	"customer_id" text COLLATE "C",
	"product_id" text,
	"quantity" integer NOT NULL,
	"unit_price_e4" bigint,
	"occurred_at" timestamp with time zone NOT NULL,
	"country" text
);
--> statement-breakpoint
INSERT INTO "events_price_e4"
SELECT "batch_id", "line_no", "kind", "invoice", "customer_id", "product_id", "quantity",
	("unit_price" * 10000)::bigint, "occurred_at", "country"
FROM "events";--> statement-breakpoint
DROP TABLE "events";--> statement-breakpoint
ALTER TABLE "events_price_e4" RENAME TO "events";--> statement-breakpoint
CREATE INDEX "events_customer" ON "events" USING btree ("customer_id") WHERE customer_id is not null;--> statement-breakpoint
CREATE INDEX "events_occurred_brin" ON "events" USING brin ("occurred_at");
