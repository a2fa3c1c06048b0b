-- AlterTable
ALTER TABLE "Lead" ADD COLUMN     "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Existing leads count from their last change (the newest event that is not an escalation
-- reminder), not from the day of this migration: retention must not restart with an upgrade.
UPDATE "Lead" l SET "changedAt" = coalesce(
  (SELECT max(e.at) FROM "LeadEvent" e WHERE e."leadId" = l.id AND e.type <> 'escalated'),
  l."receivedAt");

-- CreateIndex
CREATE INDEX "Lead_status_erasedAt_changedAt_idx" ON "Lead"("status", "erasedAt", "changedAt");
