-- Sluice's store. The event log is the source of truth; releases is a projection of it kept in
-- the same transaction; instances lets a restarted daemon find the replicas it left running.

CREATE TABLE apps (
  name        VARCHAR(63) PRIMARY KEY,
  created_at  VARCHAR(40) NOT NULL
);

CREATE TABLE events (
  app   VARCHAR(63)  NOT NULL REFERENCES apps (name),
  seq   BIGINT       NOT NULL,
  at    VARCHAR(40)  NOT NULL,
  type  VARCHAR(63)  NOT NULL,
  data  TEXT         NOT NULL,
  PRIMARY KEY (app, seq)
);

CREATE TABLE releases (
  app         VARCHAR(63)  NOT NULL REFERENCES apps (name),
  revision    INTEGER      NOT NULL,
  version     VARCHAR(63)  NOT NULL,
  strategy    VARCHAR(31)  NOT NULL,
  trigger     VARCHAR(31)  NOT NULL,
  status      VARCHAR(31)  NOT NULL,
  reason      TEXT,
  started_at  VARCHAR(40)  NOT NULL,
  updated_at  VARCHAR(40)  NOT NULL,
  spec        TEXT         NOT NULL,
  PRIMARY KEY (app, revision)
);

CREATE TABLE instances (
  app         VARCHAR(63)  NOT NULL,
  version     VARCHAR(63)  NOT NULL,
  idx         INTEGER      NOT NULL,
  pid         BIGINT       NOT NULL,
  port        INTEGER      NOT NULL,
  started_at  VARCHAR(40)  NOT NULL,
  PRIMARY KEY (app, version, idx)
);
