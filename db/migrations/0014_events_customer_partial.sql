DROP INDEX "events_customer";--> statement-breakpoint
CREATE INDEX "events_customer" ON "events" USING btree ("customer_id") WHERE customer_id is not null;