-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "data" JSONB NOT NULL DEFAULT '{}';
