-- AlterEnum
ALTER TYPE "LeadStatus" ADD VALUE 'opportunity';

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
