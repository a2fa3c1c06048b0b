-- CreateTable
CREATE TABLE "CrmCursor" (
    "system" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "since" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseHolder" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CrmCursor_pkey" PRIMARY KEY ("system","stream")
);

-- CreateTable
CREATE TABLE "CrmLedger" (
    "id" BIGSERIAL NOT NULL,
    "system" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "leadId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "fields" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrmLedger_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CrmLedger_system_recordId_at_idx" ON "CrmLedger"("system", "recordId", "at");

-- CreateIndex
CREATE INDEX "CrmLedger_leadId_idx" ON "CrmLedger"("leadId");
