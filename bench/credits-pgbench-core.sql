-- The ledger's core write, as CreditLedger.ConsumeAsync issues it: the conditional debit, then the entry.
-- :workspaces is set with -D; workspace n has the id 00000000-0000-0000-0000-<n as 12 digits>.
\set n random(1, :workspaces)
BEGIN;
UPDATE credit_accounts SET balance = balance - 1, updated_at = now()
WHERE workspace_id = ('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid AND environment = 'Test' AND balance >= 1
RETURNING id AS account, balance AS balance, workspace_id AS workspace \gset
INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, is_welcome_grant,
  reference, idempotency_key, actor_api_key_id, created_at)
VALUES (gen_random_uuid(), :account, :workspace, 'Test', 'Consume', -1, :balance, false, NULL, NULL, NULL, now());
END;
