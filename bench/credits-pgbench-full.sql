-- Every statement the API issues for one first-time consume that goes alone (a batch of one): the one statement
-- of CreditLedger, credits_debit_batch, which claims the Idempotency-Key, debits, writes the entry and completes
-- the key's record with its outcome. Under load the API puts many debits in one such statement (group commit);
-- this script is the cost of one debit per transaction through that path. The coalesced NOTIFY is left out
-- (CoalescedNotifier: at most one batched statement per 100 ms per instance).
\set n random(1, :workspaces)
SELECT count(*) FROM credits_debit_batch(
  ARRAY[('00000000-0000-0000-0000-' || lpad(:n::text, 12, '0'))::uuid], ARRAY['Test'], ARRAY[1::bigint],
  ARRAY[gen_random_uuid()], ARRAY[NULL::text], ARRAY[gen_random_uuid()::text], ARRAY[NULL::uuid], ARRAY[sha256('x')],
  ARRAY['pgbench'], now(), 201, 402);
