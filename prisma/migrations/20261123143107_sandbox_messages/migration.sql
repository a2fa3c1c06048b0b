-- CreateTable
CREATE TABLE "SandboxMessage" (
    "id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "thread" UUID,
    "view" JSONB NOT NULL,
    "file" BYTEA,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SandboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SandboxMessage_channel_createdAt_idx" ON "SandboxMessage"("channel", "createdAt");
