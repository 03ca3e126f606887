-- API tokens: only a hash of each token is kept; the token itself is shown once, at creation.
CREATE TABLE tokens (
  name        VARCHAR(63)  PRIMARY KEY,
  role        VARCHAR(15)  NOT NULL,
  hash        VARCHAR(64)  NOT NULL UNIQUE,
  created_at  VARCHAR(40)  NOT NULL,
  revoked_at  VARCHAR(40)
);
