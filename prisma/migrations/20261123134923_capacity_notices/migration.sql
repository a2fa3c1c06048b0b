-- CreateTable
CREATE TABLE "CapacityNotice" (
    "id" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "open" INTEGER NOT NULL,
    "limit" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CapacityNotice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CapacityNotice_queue_at_idx" ON "CapacityNotice"("queue", "at");
