-- Feature flags. Every change to the flag set is a new version that holds the whole set after it
-- (any version can be read back or restored) and who made it; flag_changes keeps each changed
-- flag's definition before and after, which is the audit trail of a flag.
CREATE TABLE flag_versions (
  version   BIGINT       PRIMARY KEY,
  at        VARCHAR(40)  NOT NULL,
  actor     VARCHAR(63)  NOT NULL,
  action    VARCHAR(31)  NOT NULL,
  detail    TEXT         NOT NULL,
  document  TEXT         NOT NULL
);

CREATE TABLE flag_changes (
  version      BIGINT  NOT NULL REFERENCES flag_versions (version),
  flag_key     TEXT    NOT NULL,
  before_json  TEXT,
  after_json   TEXT,
  PRIMARY KEY (version, flag_key)
);

CREATE INDEX flag_changes_by_key ON flag_changes (flag_key, version);

-- When each flag was last evaluated (Unix milliseconds): kept in memory by the server and
-- flushed here now and then, for finding flags nobody uses any more.
CREATE TABLE flag_evaluations (
  flag_key  TEXT    PRIMARY KEY,
  last_at   BIGINT  NOT NULL
);
