-- The accounts list's search box: a part of an account's name or city,
-- in any case (ILIKE '%term%').  Trigram indexes (pg_trgm, contrib; a
-- trusted extension, so the database's owner may create it) answer such
-- a search over a million accounts without reading them all.  Adapters
-- over a CRM's own tables (Odoo, Tryton) search the same way; indexing
-- those tables is the CRM's administrator's choice.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX accounts_name_trgm ON crmx_native.accounts USING gin (name gin_trgm_ops);
CREATE INDEX accounts_city_trgm ON crmx_native.accounts USING gin (city gin_trgm_ops);
