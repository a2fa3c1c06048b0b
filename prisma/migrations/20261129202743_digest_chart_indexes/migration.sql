-- DropIndex
DROP INDEX "Lead_acceptedAt_offeredAt_contactedAt_assignee_idx";

-- DropIndex
DROP INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_idx";

-- CreateIndex
CREATE INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_con_idx" ON "Lead"("receivedAt", "stage", "source", "campaign", "status", "acceptedAt", "contactedAt");

-- CreateIndex
CREATE INDEX "Lead_acceptedAt_offeredAt_contactedAt_assignee_queue_claimD_idx" ON "Lead"("acceptedAt", "offeredAt", "contactedAt", "assignee", "queue", "claimDueAt", "contactDueAt");
