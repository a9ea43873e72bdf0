-- 结果运用, stars from several kinds of evidence and flags (rulebook section 19): honours (荣誉),
-- platform data (平台数据) and flags (红旗); each certification's basis (its pool and evidence).
CREATE TABLE IF NOT EXISTS rm0_honours (
    organization TEXT,
    number INTEGER,
    name TEXT,
    level TEXT,
    date TEXT,
    issuer TEXT,
    withdrawn TEXT,
    PRIMARY KEY (organization, number)
);

CREATE TABLE IF NOT EXISTS rm0_platform_data (
    contest TEXT,
    source TEXT,
    period TEXT,
    organization TEXT,
    value TEXT,
    digest TEXT,
    file TEXT,
    history TEXT,
    PRIMARY KEY (contest, source, period, organization)
);

CREATE TABLE IF NOT EXISTS rm0_flags (
    organization TEXT,
    flag TEXT,
    cycle TEXT,
    contest TEXT,
    name TEXT,
    org_name TEXT,
    state TEXT,
    met INTEGER,
    results TEXT,
    history TEXT,
    rules TEXT,
    position INTEGER,
    PRIMARY KEY (organization, flag, cycle)
);

CREATE TABLE IF NOT EXISTS rm1_honours (
    organization TEXT,
    number INTEGER,
    name TEXT,
    level TEXT,
    date TEXT,
    issuer TEXT,
    withdrawn TEXT,
    PRIMARY KEY (organization, number)
);

CREATE TABLE IF NOT EXISTS rm1_platform_data (
    contest TEXT,
    source TEXT,
    period TEXT,
    organization TEXT,
    value TEXT,
    digest TEXT,
    file TEXT,
    history TEXT,
    PRIMARY KEY (contest, source, period, organization)
);

CREATE TABLE IF NOT EXISTS rm1_flags (
    organization TEXT,
    flag TEXT,
    cycle TEXT,
    contest TEXT,
    name TEXT,
    org_name TEXT,
    state TEXT,
    met INTEGER,
    results TEXT,
    history TEXT,
    rules TEXT,
    position INTEGER,
    PRIMARY KEY (organization, flag, cycle)
);

ALTER TABLE rm0_certifications ADD COLUMN basis TEXT;
ALTER TABLE rm1_certifications ADD COLUMN basis TEXT;
