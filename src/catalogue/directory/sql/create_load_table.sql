-- Rows of the dataset on their way in (COPY), gone at the end of the transaction.
CREATE TEMP TABLE directory_load (
    uai text, name text, academie text, academie_code text, kind text, sector text,
    postal_code text, commune text, departement text, region text, state text, search_text text
) ON COMMIT DROP
