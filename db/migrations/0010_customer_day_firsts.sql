ALTER TABLE "daily_customer_sales" ADD COLUMN "first_day" timestamp;--> statement-breakpoint
ALTER TABLE "daily_customer_sales" ADD COLUMN "week_first" boolean;--> statement-breakpoint
ALTER TABLE "daily_customer_sales" ADD COLUMN "month_first" boolean;