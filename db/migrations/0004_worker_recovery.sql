ALTER TABLE "workers" ADD COLUMN "recovered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "recovered_by" text;