-- A token may name the flag environment its evaluations use (e.g. a client token for production).
ALTER TABLE tokens ADD COLUMN environment VARCHAR(63);
