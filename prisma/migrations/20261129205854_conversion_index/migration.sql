-- DropIndex
DROP INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_con_idx";

-- CreateIndex
CREATE INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_con_idx" ON "Lead"("receivedAt", "stage", "source", "campaign", "status", "acceptedAt", "contactedAt", "grade", "opportunityAt");
