-- AlterEnum
ALTER TYPE "LeadStatus" ADD VALUE 'opportunity';

-- DropIndex
DROP INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_idx";

-- AlterTable
ALTER TABLE "Lead" ADD COLUMN     "opportunityAt" TIMESTAMP(3),
ADD COLUMN     "outcomeAmount" DECIMAL(18,2),
ADD COLUMN     "outcomeCurrency" TEXT,
ADD COLUMN     "outcomeReason" TEXT;

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "url" TEXT NOT NULL,
    "disabledAt" TIMESTAMP(3),
    "reason" TEXT,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("url")
);

-- CreateIndex
CREATE INDEX "Delivery_kind_status_idx" ON "Delivery"("kind", "status");

-- CreateIndex
CREATE INDEX "Lead_receivedAt_stage_source_campaign_status_acceptedAt_gra_idx" ON "Lead"("receivedAt", "stage", "source", "campaign", "status", "acceptedAt", "grade", "opportunityAt");
