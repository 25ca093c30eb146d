-- One busy batch of the API's group commit (CreditLedger): :size debits of 1 credit in one call of credits_debit_batch,
-- spread in turn over 4 random workspaces (of :workspaces; with 1, all on one account), each with a fresh
-- Idempotency-Key, as credits/consume sends them. Set with -D workspaces=N -D size=N; workspace n has the id
-- 00000000-0000-0000-0000-<n as 12 digits>. Building the arrays is part of what PostgreSQL runs (a few µs).
\set a random(1, :workspaces)
\set b random(1, :workspaces)
\set c random(1, :workspaces)
\set d random(1, :workspaces)
SELECT count(*) FROM credits_debit_batch(
  (SELECT array_agg(('00000000-0000-0000-0000-' || lpad((ARRAY[:a::int, :b::int, :c::int, :d::int])[1 + i % 4]::text, 12, '0'))::uuid ORDER BY i)
   FROM generate_series(1, :size::int) i),
  array_fill('Test'::text, ARRAY[:size::int]), array_fill(1::bigint, ARRAY[:size::int]),
  (SELECT array_agg(gen_random_uuid()) FROM generate_series(1, :size::int)), array_fill(NULL::text, ARRAY[:size::int]),
  (SELECT array_agg(gen_random_uuid()::text) FROM generate_series(1, :size::int)), array_fill(NULL::uuid, ARRAY[:size::int]),
  array_fill(sha256('x'), ARRAY[:size::int]), array_fill('pgbench'::text, ARRAY[:size::int]), now(), 201, 402);
