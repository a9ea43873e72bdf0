-- 结果运用, stars from several kinds of evidence and flags (rulebook section 19): honours (荣誉),
-- platform data (平台数据) and flags (红旗); each certification's basis (its pool and evidence).
CREATE TABLE IF NOT EXISTS rm0_honours (
    organization text,
    number integer,
    name text,
    level text,
    date text,
    issuer text,
    withdrawn text,
    PRIMARY KEY (organization, number)
);

CREATE TABLE IF NOT EXISTS rm0_platform_data (
    contest text,
    source text,
    period text,
    organization text,
    value text,
    digest text,
    file text,
    history text,
    PRIMARY KEY (contest, source, period, organization)
);

CREATE TABLE IF NOT EXISTS rm0_flags (
    organization text,
    flag text,
    cycle text,
    contest text,
    name text,
    org_name text,
    state text,
    met integer,
    results text,
    history text,
    rules text,
    position bigint,
    PRIMARY KEY (organization, flag, cycle)
);

CREATE TABLE IF NOT EXISTS rm1_honours (
    organization text,
    number integer,
    name text,
    level text,
    date text,
    issuer text,
    withdrawn text,
    PRIMARY KEY (organization, number)
);

CREATE TABLE IF NOT EXISTS rm1_platform_data (
    contest text,
    source text,
    period text,
    organization text,
    value text,
    digest text,
    file text,
    history text,
    PRIMARY KEY (contest, source, period, organization)
);

CREATE TABLE IF NOT EXISTS rm1_flags (
    organization text,
    flag text,
    cycle text,
    contest text,
    name text,
    org_name text,
    state text,
    met integer,
    results text,
    history text,
    rules text,
    position bigint,
    PRIMARY KEY (organization, flag, cycle)
);

ALTER TABLE rm0_certifications ADD COLUMN basis text;
ALTER TABLE rm1_certifications ADD COLUMN basis text;

DO $grants$
DECLARE
    writer text := (SELECT writer FROM public.leitai_roles);
    rel text;
BEGIN
    FOREACH rel IN ARRAY ARRAY['rm0_honours', 'rm0_platform_data', 'rm0_flags', 'rm1_honours', 'rm1_platform_data', 'rm1_flags'] LOOP
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', rel, writer);
    END LOOP;
END
$grants$;
