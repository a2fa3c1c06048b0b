-- CreateEnum
CREATE TYPE "LeadStatus" AS ENUM ('received', 'nurture', 'qualified', 'offered', 'accepted', 'contacted', 'handed_over', 'won', 'lost', 'rejected', 'disputed', 'upheld', 'overturned');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('MQL', 'SQL', 'SRL');

-- CreateEnum
CREATE TYPE "RejectReason" AS ENUM ('not_a_fit', 'not_sales_ready', 'duplicate', 'bad_contact_data', 'wrong_territory', 'other');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'posted', 'failed');

-- CreateTable
CREATE TABLE "Lead" (
    "id" UUID NOT NULL,
    "sourceSystem" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "campaign" TEXT,
    "owner" TEXT NOT NULL,
    "status" "LeadStatus" NOT NULL,
    "stage" "Stage",
    "grade" TEXT,
    "score" INTEGER NOT NULL,
    "team" TEXT,
    "queue" TEXT,
    "assignee" TEXT,
    "contact" JSONB,
    "companyName" TEXT,
    "employees" INTEGER,
    "country" TEXT,
    "industry" TEXT,
    "signals" TEXT[],
    "explanation" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "offerRound" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "offeredAt" TIMESTAMP(3),
    "claimDueAt" TIMESTAMP(3),
    "acceptedAt" TIMESTAMP(3),
    "contactDueAt" TIMESTAMP(3),
    "contactedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "erasedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lead_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeadEvent" (
    "id" BIGSERIAL NOT NULL,
    "leadId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "actor" TEXT,
    "from" "LeadStatus",
    "to" "LeadStatus",
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "LeadEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rejection" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "rep" TEXT NOT NULL,
    "reason" "RejectReason" NOT NULL,
    "note" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Rejection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dispute" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "rejectionId" UUID NOT NULL,
    "openedBy" TEXT NOT NULL,
    "rationale" TEXT NOT NULL,
    "arbiter" TEXT,
    "outcome" "LeadStatus",
    "decisionRationale" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "Dispute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Escalation" (
    "id" UUID NOT NULL,
    "leadId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "atPercent" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "rep" TEXT,
    "queue" TEXT,
    "firedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "systemDelayMs" INTEGER NOT NULL DEFAULT 0,
    "peopleDelayMs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Escalation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Absence" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "from" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Absence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoutingLedger" (
    "queue" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "credit" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "assigned" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RoutingLedger_pkey" PRIMARY KEY ("queue","month","email")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "leadId" UUID,
    "kind" TEXT NOT NULL,
    "queue" TEXT,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "platform" TEXT,
    "messageRef" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" TIMESTAMP(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Lead_queue_status_idx" ON "Lead"("queue", "status");

-- CreateIndex
CREATE INDEX "Lead_assignee_status_idx" ON "Lead"("assignee", "status");

-- CreateIndex
CREATE INDEX "Lead_receivedAt_idx" ON "Lead"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lead_sourceSystem_externalId_key" ON "Lead"("sourceSystem", "externalId");

-- CreateIndex
CREATE INDEX "LeadEvent_leadId_at_idx" ON "LeadEvent"("leadId", "at");

-- CreateIndex
CREATE INDEX "LeadEvent_type_at_idx" ON "LeadEvent"("type", "at");

-- CreateIndex
CREATE INDEX "Rejection_leadId_idx" ON "Rejection"("leadId");

-- CreateIndex
CREATE INDEX "Dispute_leadId_idx" ON "Dispute"("leadId");

-- CreateIndex
CREATE INDEX "Dispute_decidedAt_idx" ON "Dispute"("decidedAt");

-- CreateIndex
CREATE INDEX "Escalation_firedAt_idx" ON "Escalation"("firedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Escalation_leadId_kind_round_atPercent_key" ON "Escalation"("leadId", "kind", "round", "atPercent");

-- CreateIndex
CREATE INDEX "Absence_email_until_idx" ON "Absence"("email", "until");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_key_key" ON "Delivery"("key");

-- CreateIndex
CREATE INDEX "Delivery_status_nextAttemptAt_idx" ON "Delivery"("status", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "LeadEvent" ADD CONSTRAINT "LeadEvent_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rejection" ADD CONSTRAINT "Rejection_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispute" ADD CONSTRAINT "Dispute_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispute" ADD CONSTRAINT "Dispute_rejectionId_fkey" FOREIGN KEY ("rejectionId") REFERENCES "Rejection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Escalation" ADD CONSTRAINT "Escalation_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;
