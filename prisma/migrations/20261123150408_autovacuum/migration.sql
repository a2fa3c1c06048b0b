-- Keep the visibility map of the big tables fresh, so the digest reads a month from its indexes
-- alone. With the PostgreSQL defaults a busy table lags by weeks: see bench/digest.ts.
ALTER TABLE "Lead" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
ALTER TABLE "LeadEvent" SET (autovacuum_vacuum_insert_scale_factor = 0.02);
