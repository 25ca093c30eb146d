-- Every statement the API issues for one consume: the idempotency claim (its own transaction), then the one
-- statement of CreditLedger.ConsumeAsync: debit, entry, stored answer and NOTIFY.
\set n random(1, :workspaces)
INSERT INTO idempotency_records (workspace_id, key, request_hash, created_at)
VALUES (('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid, gen_random_uuid()::text, sha256('x'), now())
ON CONFLICT DO NOTHING RETURNING workspace_id AS workspace, key AS idem \gset
WITH debit AS (
  UPDATE credit_accounts SET balance = balance - 1, updated_at = now()
  WHERE workspace_id = :workspace AND environment = 'Test' AND balance >= 1
  RETURNING id, balance),
entry AS (
  INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, is_welcome_grant,
    reference, idempotency_key, actor_api_key_id, created_at)
  SELECT gen_random_uuid(), debit.id, :workspace, 'Test', 'Consume', -1, debit.balance, false, NULL, :idem, NULL, now()
  FROM debit
  RETURNING balance_after),
answer AS (
  UPDATE idempotency_records SET
    response_status = CASE WHEN EXISTS (SELECT 1 FROM entry) THEN 201 ELSE 402 END,
    response_body = COALESCE((SELECT '{"id":"00000000-0000-0000-0000-000000000000","environment":"test","amount":1,"balance"' || chr(58) || balance_after || '}' FROM entry), '{}'),
    completed_at = now()
  WHERE workspace_id = :workspace AND key = :idem)
SELECT balance_after, pg_notify('datakeen_credit_changes', :workspace::text || chr(58) || 'Test') FROM entry;
