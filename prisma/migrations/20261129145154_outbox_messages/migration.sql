-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Delivery_leadId_kind_idx" ON "Delivery"("leadId", "kind");
