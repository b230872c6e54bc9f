from django.db import migrations

# A version of what the staff search matches and sorts on (members' names, email, NEA ID, district and number,
# districts' names): a new random value whenever any of it is written, by any code, in the same transaction as the
# write (so a reader sees it move when the change is committed, never before). The search keeps the order of the
# matches of its words under it (selectors.search). Random, not counted: a database restored or made again never
# meets a version it had before.
VERSION = """
CREATE TABLE members_search_version (id smallint PRIMARY KEY CHECK (id = 1), version uuid NOT NULL);
INSERT INTO members_search_version VALUES (1, gen_random_uuid());
CREATE FUNCTION members_search_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE members_search_version SET version = gen_random_uuid() WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER members_member_search_version
AFTER INSERT OR DELETE OR UPDATE OF legal_last_name, legal_first_name, email, nea_id, employer_district_id,
    member_number ON members_member
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_member_search_version_truncate AFTER TRUNCATE ON members_member
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_district_search_version AFTER INSERT OR DELETE OR UPDATE OF name ON members_district
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
CREATE TRIGGER members_district_search_version_truncate AFTER TRUNCATE ON members_district
FOR EACH STATEMENT EXECUTE FUNCTION members_search_version_bump();
"""
UNVERSION = """
DROP TRIGGER IF EXISTS members_member_search_version ON members_member;
DROP TRIGGER IF EXISTS members_member_search_version_truncate ON members_member;
DROP TRIGGER IF EXISTS members_district_search_version ON members_district;
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
