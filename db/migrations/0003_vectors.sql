CREATE TABLE "embedding_models" (
	"name" text PRIMARY KEY NOT NULL,
	"model" text NOT NULL,
	"dimension" integer NOT NULL,
	"features" jsonb NOT NULL,
	"idf" "bytea" NOT NULL,
	"projection" "bytea" NOT NULL,
	"documents" integer NOT NULL,
	"fitted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vector_namespaces" (
	"backend" text NOT NULL,
	"namespace" text NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"dimension" integer NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vector_namespaces_backend_namespace_pk" PRIMARY KEY("backend","namespace")
);
