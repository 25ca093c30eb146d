-- Every statement the API issues for one first-time consume: the one statement of CreditLedger.ConsumeAsync,
-- which debits, writes the entry and inserts the Idempotency-Key's record already answered (the record is
-- inserted FROM entry here, for a unique key per transaction; the API's 402 path never runs in this load). The
-- NOTIFY is no longer in it: CoalescedNotifier sends at most one batched statement per 100 ms per instance,
-- which this script leaves out (≤ 10 transactions a second).
\set n random(1, :workspaces)
WITH debit AS (
  UPDATE credit_accounts SET balance = balance - 1, updated_at = now()
  WHERE workspace_id = ('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid AND environment = 'Test' AND balance >= 1
  RETURNING id, workspace_id, balance),
entry AS (
  INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, is_welcome_grant,
    reference, idempotency_key, actor_api_key_id, created_at)
  SELECT gen_random_uuid(), debit.id, debit.workspace_id, 'Test', 'Consume', -1, debit.balance, false, NULL,
    gen_random_uuid()::text, NULL, now()
  FROM debit
  RETURNING workspace_id, idempotency_key, balance_after),
answer AS (
  INSERT INTO idempotency_records (workspace_id, key, request_hash, response_status, response_body, created_at, completed_at)
  SELECT workspace_id, idempotency_key, sha256('x'), 201,
    '{"id":"00000000-0000-0000-0000-000000000000","environment":"test","amount":1,"balance"' || chr(58) || balance_after || '}',
    now(), now()
  FROM entry)
SELECT balance_after FROM entry;
