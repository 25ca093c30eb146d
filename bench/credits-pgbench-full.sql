-- Every statement the API issues for one consume: the idempotency claim in its own transaction, then the
-- debit, the entry, the stored answer and the NOTIFY in one transaction.
\set n random(1, :workspaces)
INSERT INTO idempotency_records (workspace_id, key, request_hash, created_at)
VALUES (('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid, gen_random_uuid()::text, sha256('x'), now())
ON CONFLICT DO NOTHING RETURNING workspace_id AS workspace, key AS idem \gset
BEGIN;
UPDATE credit_accounts SET balance = balance - 1, updated_at = now()
WHERE workspace_id = :workspace AND environment = 'Test' AND balance >= 1
RETURNING id AS account, balance AS balance \gset
INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, is_welcome_grant,
  reference, idempotency_key, actor_api_key_id, created_at)
VALUES (gen_random_uuid(), :account, :workspace, 'Test', 'Consume', -1, :balance, false, NULL, :idem, NULL, now());
UPDATE idempotency_records SET response_status = 201, response_body = '{"id":"00000000-0000-0000-0000-000000000000","environment":"test","amount":1,"balance":1}', completed_at = now()
WHERE workspace_id = :workspace AND key = :idem;
SELECT pg_notify('datakeen_credit_changes', :workspace::text || ':Test');
END;
