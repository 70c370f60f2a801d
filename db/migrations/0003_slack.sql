CREATE TABLE "slack_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_threads" (
	"channel_id" text NOT NULL,
	"thread_ts" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "slack_events_received_at" ON "slack_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "slack_threads_channel_thread" ON "slack_threads" USING btree ("channel_id","thread_ts");