-- Guarded flag rollouts, so that one survives a restart or a failover: the newest rollout of each
-- flag, running or ended. Each transition is written here before the flag set is changed for it.
-- plan is JSON (the plan as checked, the flag's definition before the rollout); written is the
-- flag's definition as the rollout last left it (how it tells that someone else changed the flag);
-- events is a JSON array of lines for people. Times are ISO-8601, as in the other tables.
CREATE TABLE flag_rollouts (
  flag_key    TEXT         PRIMARY KEY,
  state       VARCHAR(15)  NOT NULL,
  step        INTEGER      NOT NULL,
  actor       VARCHAR(255) NOT NULL,
  reason      TEXT         NOT NULL,
  started_at  VARCHAR(40)  NOT NULL,
  ended_at    VARCHAR(40),
  updated_at  VARCHAR(40)  NOT NULL,
  plan        TEXT         NOT NULL,
  written     TEXT,
  events      TEXT         NOT NULL
);
