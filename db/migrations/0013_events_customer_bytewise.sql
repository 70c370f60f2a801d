-- Customer ids compare bytewise in events: the customer index builds and the groupings by customer sort with
-- memcmp and abbreviated keys instead of the database locale's strcoll (index build on the Online Retail
-- file ~20% less CPU). Ids are codes, not words: no locale order is wanted. Against a column of the default
-- collation (customer_features.customer_id, customers.id) the comparison is made as "C" too: equality is the
-- same under any deterministic collation. drizzle's schema has no collations, hence a hand-written migration.
ALTER TABLE "events" ALTER COLUMN "customer_id" SET DATA TYPE text COLLATE "C";
