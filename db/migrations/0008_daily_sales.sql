CREATE TABLE "daily_customer_sales" (
	"day" timestamp NOT NULL,
	"customer_id" text,
	"revenue" numeric,
	"orders" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_product_sales" (
	"day" timestamp NOT NULL,
	"product_id" text NOT NULL,
	"anonymous" boolean NOT NULL,
	"revenue" numeric,
	"units" bigint NOT NULL,
	CONSTRAINT "daily_product_sales_day_product_id_anonymous_pk" PRIMARY KEY("day","product_id","anonymous")
);
--> statement-breakpoint
CREATE INDEX "daily_customer_sales_day" ON "daily_customer_sales" USING btree ("day");--> statement-breakpoint
CREATE INDEX "daily_customer_sales_customer" ON "daily_customer_sales" USING btree ("customer_id");