CREATE TABLE "product_sales" (
	"product_id" text PRIMARY KEY NOT NULL,
	"revenue" numeric,
	"units" bigint NOT NULL
);
