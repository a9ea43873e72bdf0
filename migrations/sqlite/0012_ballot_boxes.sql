-- Ballot boxes of voting rounds (投票, rulebook section 18): one row per voting round of a round, with
-- the ballots cast per group and, once counted, the announced tally (projections/tables.py BALLOT_BOXES;
-- computed by projections/voting.py).
CREATE TABLE IF NOT EXISTS rm0_ballot_boxes (
    round TEXT,
    voting INTEGER,
    contest TEXT,
    status TEXT,
    candidates TEXT,
    names TEXT,
    by_group TEXT,
    ballots INTEGER,
    voided INTEGER,
    tally TEXT,
    rules TEXT,
    position INTEGER,
    PRIMARY KEY (round, voting)
);

CREATE TABLE IF NOT EXISTS rm1_ballot_boxes (
    round TEXT,
    voting INTEGER,
    contest TEXT,
    status TEXT,
    candidates TEXT,
    names TEXT,
    by_group TEXT,
    ballots INTEGER,
    voided INTEGER,
    tally TEXT,
    rules TEXT,
    position INTEGER,
    PRIMARY KEY (round, voting)
);
