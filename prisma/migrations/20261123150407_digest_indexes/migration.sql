-- DropIndex
DROP INDEX "Lead_receivedAt_idx";

-- CreateIndex
CREATE INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_idx" ON "Lead"("receivedAt", "stage", "source", "campaign", "status", "acceptedAt");

-- CreateIndex
CREATE INDEX "Lead_acceptedAt_offeredAt_contactedAt_assignee_idx" ON "Lead"("acceptedAt", "offeredAt", "contactedAt", "assignee");
