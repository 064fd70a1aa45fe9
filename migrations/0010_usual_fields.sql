-- Fields most executions hold at one value (0, false, {}) are left out of a row's JSON while they do;
-- `left_out` says which (bit n = case n of WorkflowUsualField / TaskUsualField in StoredRows.swift) and
-- reads write them back. NULL, as on every row written before this migration: nothing left out.
ALTER TABLE workflow ADD COLUMN left_out INTEGER;
ALTER TABLE task ADD COLUMN left_out INTEGER;
