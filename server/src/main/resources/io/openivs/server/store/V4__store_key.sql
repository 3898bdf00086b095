-- One row saying which store key sealed this database's secrets (a known text sealed with it), so a node
-- started with another key stops at once instead of serving undecryptable stream keys, and which version
-- of the list of secret members existing rows were last sealed to.
CREATE TABLE store_key (
  id       INTEGER PRIMARY KEY,
  key_check TEXT NOT NULL,
  policy   INTEGER NOT NULL
);
