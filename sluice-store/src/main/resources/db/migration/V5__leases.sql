-- Named leases with fencing tokens: several Sluice processes sharing one database agree on one
-- leader. expires_at is Unix milliseconds by the database's clock; epoch goes up with each new
-- term, and the leader's appends check it in their own transaction, so a replaced leader cannot
-- write. address is what the holder publishes (its control API's URL) for the others to name.
CREATE TABLE leases (
  name        VARCHAR(63)   PRIMARY KEY,
  holder      VARCHAR(255)  NOT NULL,
  epoch       BIGINT        NOT NULL,
  expires_at  BIGINT        NOT NULL,
  address     TEXT
);
