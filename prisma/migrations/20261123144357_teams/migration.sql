-- CreateTable
CREATE TABLE "TeamsConversation" (
    "key" TEXT NOT NULL,
    "reference" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TeamsConversation_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "TeamsMessage" (
    "id" TEXT NOT NULL,
    "view" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TeamsMessage_pkey" PRIMARY KEY ("id")
);
