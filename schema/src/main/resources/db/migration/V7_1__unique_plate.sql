-- A plate names one vehicle. Plates are compared trimmed and case-insensitively ("nu-0001" is
-- "NU-0001"); inner spaces and hyphens stay as typed. A database that already holds two
-- vehicles with one plate cannot take the unique index: the migration stops and names them,
-- and docs/operations.md (Upgrades) says how to resolve them before starting again.
DO $$
DECLARE
    dups TEXT;
BEGIN
    SELECT string_agg(format('%s (vehicle ids %s)', p, ids), '; ')
      INTO dups
      FROM (SELECT upper(btrim(plate)) AS p, string_agg(id::text, ', ' ORDER BY id) AS ids
              FROM vehicles GROUP BY upper(btrim(plate)) HAVING count(*) > 1 ORDER BY 1 LIMIT 50) d;
    IF dups IS NOT NULL THEN
        RAISE EXCEPTION 'duplicate plates, resolve them before upgrading (docs/operations.md, Upgrades): %', dups;
    END IF;
END $$;

UPDATE vehicles SET plate = btrim(plate) WHERE plate <> btrim(plate);
DROP INDEX vehicles_plate_idx;
CREATE UNIQUE INDEX vehicles_plate_key ON vehicles (upper(plate));
