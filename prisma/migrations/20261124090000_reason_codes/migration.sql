-- Reasons are codes with parameters now (src/domain/reasons.ts), written out when shown. Sentences
-- stored by earlier versions are kept word for word as {"code": "text", "text": "…"}, which is
-- shown as it is: their language cannot be changed after the fact.

-- Why each lead qualified and went where it went.
UPDATE "Lead" SET explanation = jsonb_build_object(
  'qualification', (
    SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(r) = 'string' THEN jsonb_build_object('code', 'text', 'text', r) ELSE r END ORDER BY i), '[]'::jsonb)
    FROM jsonb_array_elements(explanation -> 'qualification') WITH ORDINALITY AS q(r, i)
  ),
  'routing', (
    SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(r) = 'string' THEN jsonb_build_object('code', 'text', 'text', r) ELSE r END ORDER BY i), '[]'::jsonb)
    FROM jsonb_array_elements(explanation -> 'routing') WITH ORDINALITY AS q(r, i)
  )
)
WHERE jsonb_typeof(explanation -> 'qualification') = 'array'
  AND jsonb_typeof(explanation -> 'routing') = 'array'
  AND EXISTS (
    SELECT 1 FROM jsonb_array_elements((explanation -> 'qualification') || (explanation -> 'routing')) AS e(r)
    WHERE jsonb_typeof(r) = 'string'
  );

-- Why a lead was reassigned after a missed claim deadline.
UPDATE "LeadEvent" SET data = jsonb_set(data, '{reasons}', (
  SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(r) = 'string' THEN jsonb_build_object('code', 'text', 'text', r) ELSE r END ORDER BY i), '[]'::jsonb)
  FROM jsonb_array_elements(data -> 'reasons') WITH ORDINALITY AS q(r, i)
))
WHERE type = 'reassigned'
  AND jsonb_typeof(data -> 'reasons') = 'array'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(data -> 'reasons') AS e(r) WHERE jsonb_typeof(r) = 'string');
