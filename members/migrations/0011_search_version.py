from django.db import migrations

# A version of what the staff search matches and sorts on (members' names, email, NEA ID, district and number,
# districts' names): a new random value whenever any of it is written, by any code, in the same transaction as the
# write (so a reader sees it move when the change is committed, never before). The search keeps the order of the
# matches of its words under it (selectors.search). Random, not counted: a database restored or made again never
# meets a version it had before. An update bumps it only when one of those values really changes (a row trigger
# with WHEN): a Django save() writes every column, and each bump holds the one version row until its commit, so
# saves that change nothing searchable (a phone number, an address, a profile saved as it was) never queue on it.
VERSION = """
CREATE TABLE members_search_version (id smallint PRIMARY KEY CHECK (id = 1), version uuid NOT NULL);
INSERT INTO members_search_version VALUES (1, gen_random_uuid());
CREATE FUNCTION members_search_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE members_search_version SET version = gen_random_uuid() WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER members_member_search_version AFTER INSERT OR DELETE ON members_member
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_member_search_version_update
AFTER UPDATE OF legal_last_name, legal_first_name, email, nea_id, employer_district_id, member_number ON members_member
FOR EACH ROW WHEN (OLD.legal_last_name IS DISTINCT FROM NEW.legal_last_name
    OR OLD.legal_first_name IS DISTINCT FROM NEW.legal_first_name OR OLD.email IS DISTINCT FROM NEW.email
    OR OLD.nea_id IS DISTINCT FROM NEW.nea_id OR OLD.employer_district_id IS DISTINCT FROM NEW.employer_district_id
    OR OLD.member_number IS DISTINCT FROM NEW.member_number)
EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_member_search_version_truncate AFTER TRUNCATE ON members_member
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_district_search_version AFTER INSERT OR DELETE ON members_district
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_district_search_version_update AFTER UPDATE OF name ON members_district
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_district_search_version_truncate AFTER TRUNCATE ON members_district
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
"""
UNVERSION = """
DROP TRIGGER IF EXISTS members_member_search_version ON members_member;
DROP TRIGGER IF EXISTS members_member_search_version_update ON members_member;
DROP TRIGGER IF EXISTS members_member_search_version_truncate ON members_member;
DROP TRIGGER IF EXISTS members_district_search_version ON members_district;
DROP TRIGGER IF EXISTS members_district_search_version_update ON members_district;
DROP TRIGGER IF EXISTS members_district_search_version_truncate ON members_district;
DROP FUNCTION IF EXISTS members_search_version_bump();
DROP TABLE IF EXISTS members_search_version;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0010_name_lexicon'),
    ]

    operations = [
        migrations.RunSQL(VERSION, UNVERSION),
    ]
