-- AlterTable
ALTER TABLE "Lead" ADD COLUMN     "agreementVersion" TEXT;

-- CreateTable
CREATE TABLE "AgreementVersion" (
    "version" TEXT NOT NULL,
    "agreement" JSONB NOT NULL,
    "loadedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgreementVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "ChatPerson" (
    "platform" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "aadObjectId" TEXT,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatPerson_pkey" PRIMARY KEY ("platform","email")
);

-- CreateTable
CREATE TABLE "ChatChannel" (
    "platform" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "teamId" TEXT,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatChannel_pkey" PRIMARY KEY ("platform","name")
);

-- CreateIndex
CREATE INDEX "ChatPerson_platform_userId_idx" ON "ChatPerson"("platform", "userId");
