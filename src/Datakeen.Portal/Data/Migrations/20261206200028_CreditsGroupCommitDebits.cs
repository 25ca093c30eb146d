using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Datakeen.Portal.Data.Migrations
{
    // Idempotency records keep the structured outcome of a debit instead of an HTTP body, and debits are
    // group-committed by credits_debit_batch (CreditLedger).
    public partial class CreditsGroupCommitDebits : Migration
    {
        // One statement for many debits: arrays in (debit i is element i of each), one row per debit out.
        // verdict: 0 executed now (answer_* is its outcome), 1 replay of the key's stored outcome, 2 key reused
        // for a different request, 3 key without an answer to replay. See CreditLedger for the reasoning.
        internal const string CreateDebitBatch = """
            CREATE FUNCTION credits_debit_batch(
                p_workspace uuid[], p_environment text[], p_amount bigint[], p_entry uuid[], p_reference text[],
                p_key text[], p_actor uuid[], p_hash bytea[], p_request_id text[], p_now timestamptz,
                p_consumed_status integer, p_refused_status integer)
            RETURNS TABLE (debit integer, verdict smallint, answer_status integer, answer_entry uuid, answer_balance bigint,
                answer_request_id text)
            LANGUAGE plpgsql AS $fn$
            DECLARE
                n integer := cardinality(p_workspace);
                -- 0: to debit (no key, or the key claimed here); 1: the key was used before; 2: the key is in the
                -- ledger without a record (purged).
                v_state smallint[] := array_fill(0::smallint, ARRAY[n]);
                v_status integer[] := array_fill(NULL::integer, ARRAY[n]);
                v_account uuid[] := array_fill(NULL::uuid, ARRAY[n]);
                v_balance bigint[] := array_fill(NULL::bigint, ARRAY[n]);
                v_entry uuid[] := array_fill(NULL::uuid, ARRAY[n]);
                v_request_id text[] := array_fill(NULL::text, ARRAY[n]);
                v_verdict smallint[] := array_fill(0::smallint, ARRAY[n]);
                v_taken integer[];
                v_same boolean;
                v_stored_status integer;
                v_stored_entry uuid;
                v_stored_balance bigint;
                v_stored_request_id text;
                v_workspace uuid;
                v_environment text;
                v_id uuid;
                v_after bigint;
                i integer;
            BEGIN
                -- Claim the keys: the first use of a key in the batch (arrival order) tries; a key already
                -- recorded, or held by a running transaction (waited for), is not claimed. Claimed in
                -- (workspace, key) order, so two batches never wait on each other's keys in a cycle.
                WITH claim AS (
                    INSERT INTO idempotency_records AS r (workspace_id, key, request_hash, created_at)
                    SELECT DISTINCT ON (p_workspace[k], p_key[k]) p_workspace[k], p_key[k], p_hash[k], p_now
                    FROM generate_subscripts(p_workspace, 1) AS k
                    WHERE p_key[k] IS NOT NULL
                    ORDER BY p_workspace[k], p_key[k], k
                    ON CONFLICT DO NOTHING
                    RETURNING r.workspace_id, r.key)
                SELECT array_agg(k) INTO v_taken
                FROM generate_subscripts(p_workspace, 1) AS k
                WHERE p_key[k] IS NOT NULL
                  AND (NOT EXISTS (SELECT 1 FROM claim c WHERE c.workspace_id = p_workspace[k] AND c.key = p_key[k])
                       OR EXISTS (SELECT 1 FROM generate_subscripts(p_workspace, 1) AS j
                                  WHERE j < k AND p_workspace[j] = p_workspace[k] AND p_key[j] = p_key[k]));
                FOREACH i IN ARRAY coalesce(v_taken, '{}') LOOP
                    v_state[i] := 1;
                END LOOP;

                -- Every lookup below is one statement per debit on a unique index: a join with the arrays would be
                -- planned for the default 1000 rows of a set-returning function and scan the ledger.
                FOR i IN 1 .. n LOOP
                    -- A claimed key that the ledger already knows: its record was purged; nothing to replay.
                    CONTINUE WHEN v_state[i] <> 0 OR p_key[i] IS NULL;
                    PERFORM 1 FROM credit_ledger_entries e WHERE e.workspace_id = p_workspace[i] AND e.idempotency_key = p_key[i];
                    IF FOUND THEN
                        v_state[i] := 2;
                        DELETE FROM idempotency_records r WHERE r.workspace_id = p_workspace[i] AND r.key = p_key[i];
                    END IF;
                END LOOP;

                -- The accounts, locked in one stable order (workspace, environment), so concurrent batches never
                -- wait on each other's rows in a cycle (a lone debit locks its one account by its update below).
                FOR v_workspace, v_environment IN
                    SELECT DISTINCT p_workspace[k], p_environment[k] FROM generate_subscripts(p_workspace, 1) AS k
                    WHERE n > 1 AND v_state[k] = 0 ORDER BY 1, 2
                LOOP
                    PERFORM 1 FROM credit_accounts a WHERE a.workspace_id = v_workspace AND a.environment = v_environment FOR UPDATE;
                END LOOP;

                -- Each debit's own conditional update, in arrival order, and its key's record completed with the
                -- outcome.
                FOR i IN 1 .. n LOOP
                    CONTINUE WHEN v_state[i] <> 0;
                    UPDATE credit_accounts AS a SET balance = a.balance - p_amount[i], updated_at = p_now
                    WHERE a.workspace_id = p_workspace[i] AND a.environment = p_environment[i] AND a.balance >= p_amount[i]
                    RETURNING a.id, a.balance INTO v_id, v_after;
                    IF FOUND THEN
                        v_status[i] := p_consumed_status;
                        v_account[i] := v_id;
                        v_balance[i] := v_after;
                        v_entry[i] := p_entry[i];
                    ELSE
                        v_status[i] := p_refused_status;
                    END IF;

                    v_request_id[i] := p_request_id[i];
                    IF p_key[i] IS NOT NULL THEN
                        UPDATE idempotency_records AS r
                        SET response_status = v_status[i], entry_id = v_entry[i], balance = v_balance[i],
                            request_id = p_request_id[i], completed_at = p_now
                        WHERE r.workspace_id = p_workspace[i] AND r.key = p_key[i];
                    END IF;
                END LOOP;

                INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after,
                    is_welcome_grant, reference, idempotency_key, actor_api_key_id, created_at)
                SELECT p_entry[k], v_account[k], p_workspace[k], p_environment[k], 'Consume', -p_amount[k], v_balance[k],
                    false, p_reference[k], p_key[k], p_actor[k], p_now
                FROM generate_subscripts(p_workspace, 1) AS k
                WHERE v_account[k] IS NOT NULL;

                -- A key used before: its record, read now (after this batch's own, and after the commit of a
                -- transaction that held it).
                FOR i IN 1 .. n LOOP
                    CONTINUE WHEN v_state[i] <> 1;
                    SELECT r.request_hash = p_hash[i], r.response_status, r.entry_id, r.balance, r.request_id
                    INTO v_same, v_stored_status, v_stored_entry, v_stored_balance, v_stored_request_id
                    FROM idempotency_records r WHERE r.workspace_id = p_workspace[i] AND r.key = p_key[i];
                    v_verdict[i] := CASE WHEN NOT FOUND THEN 3 WHEN NOT v_same THEN 2 WHEN v_stored_status IS NULL THEN 3 ELSE 1 END;
                    IF v_verdict[i] = 1 THEN
                        v_status[i] := v_stored_status;
                        v_entry[i] := v_stored_entry;
                        v_balance[i] := v_stored_balance;
                        v_request_id[i] := v_stored_request_id;
                    END IF;
                END LOOP;

                RETURN QUERY
                SELECT k, (CASE WHEN v_state[k] = 0 THEN 0 WHEN v_state[k] = 2 THEN 3 ELSE v_verdict[k] END)::smallint,
                    v_status[k], v_entry[k], v_balance[k], v_request_id[k]
                FROM generate_subscripts(p_workspace, 1) AS k;
            END
            $fn$;
            """;

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "balance",
                table: "idempotency_records",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "entry_id",
                table: "idempotency_records",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "request_id",
                table: "idempotency_records",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            // Answered records of the previous version (kept 24 hours): the outcome from the debit's entry, the
            // request id from a stored refusal's problem; the status as credits/consume answers it.
            migrationBuilder.Sql("""
                UPDATE idempotency_records r SET entry_id = e.id, balance = e.balance_after
                FROM credit_ledger_entries e
                WHERE r.response_status IS NOT NULL AND e.workspace_id = r.workspace_id AND e.idempotency_key = r.key;
                UPDATE idempotency_records SET
                    request_id = CASE WHEN entry_id IS NULL THEN left(response_body::jsonb ->> 'requestId', 64) END,
                    response_status = CASE WHEN entry_id IS NOT NULL THEN 201 ELSE 402 END
                WHERE response_status IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "response_body",
                table: "idempotency_records");

            migrationBuilder.Sql(CreateDebitBatch);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION credits_debit_batch(uuid[], text[], bigint[], uuid[], text[], text[], uuid[], bytea[], text[], timestamptz, integer, integer);");

            migrationBuilder.DropColumn(
                name: "balance",
                table: "idempotency_records");

            migrationBuilder.DropColumn(
                name: "entry_id",
                table: "idempotency_records");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "idempotency_records");

            migrationBuilder.AddColumn<string>(
                name: "response_body",
                table: "idempotency_records",
                type: "text",
                nullable: true);
        }
    }
}
