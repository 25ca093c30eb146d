-- The ledger's core write: the conditional debit and its entry, as one statement (CreditLedger's CTE, without
-- the stored answer and the NOTIFY). :workspaces is set with -D; workspace n has the id
-- 00000000-0000-0000-0000-<n as 12 digits>.
\set n random(1, :workspaces)
WITH debit AS (
  UPDATE credit_accounts SET balance = balance - 1, updated_at = now()
  WHERE workspace_id = ('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid AND environment = 'Test' AND balance >= 1
  RETURNING id, workspace_id, balance),
entry AS (
  INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, is_welcome_grant,
    reference, idempotency_key, actor_api_key_id, created_at)
  SELECT gen_random_uuid(), debit.id, debit.workspace_id, 'Test', 'Consume', -1, debit.balance, false, NULL, NULL, NULL, now()
  FROM debit
  RETURNING balance_after)
SELECT balance_after FROM entry;
