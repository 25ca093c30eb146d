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
        private const string CreateDebitBatch = """
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
                v_taken integer[];
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

                -- A claimed key that the ledger already knows: its record was purged; nothing to replay.
                SELECT array_agg(k) INTO v_taken
                FROM generate_subscripts(p_workspace, 1) AS k
                WHERE v_state[k] = 0 AND p_key[k] IS NOT NULL
                  AND EXISTS (SELECT 1 FROM credit_ledger_entries e
                              WHERE e.workspace_id = p_workspace[k] AND e.idempotency_key = p_key[k]);
                IF v_taken IS NOT NULL THEN
                    FOREACH i IN ARRAY v_taken LOOP
                        v_state[i] := 2;
                    END LOOP;
                    DELETE FROM idempotency_records r USING unnest(v_taken) AS t(k)
                    WHERE r.workspace_id = p_workspace[t.k] AND r.key = p_key[t.k];
                END IF;

                -- The accounts, locked in one stable order.
                PERFORM 1 FROM credit_accounts a
                WHERE (a.workspace_id, a.environment) IN (
                    SELECT p_workspace[k], p_environment[k] FROM generate_subscripts(p_workspace, 1) AS k WHERE v_state[k] = 0)
                ORDER BY a.id
                FOR UPDATE;

                -- Each debit's own conditional update, in arrival order.
                FOR i IN 1 .. n LOOP
                    CONTINUE WHEN v_state[i] <> 0;
                    UPDATE credit_accounts AS a SET balance = a.balance - p_amount[i], updated_at = p_now
                    WHERE a.workspace_id = p_workspace[i] AND a.environment = p_environment[i] AND a.balance >= p_amount[i]
                    RETURNING a.id, a.balance INTO v_id, v_after;
                    IF FOUND THEN
                        v_status[i] := p_consumed_status;
                        v_account[i] := v_id;
                        v_balance[i] := v_after;
                    ELSE
                        v_status[i] := p_refused_status;
                    END IF;
                END LOOP;

                INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after,
                    is_welcome_grant, reference, idempotency_key, actor_api_key_id, created_at)
                SELECT p_entry[k], v_account[k], p_workspace[k], p_environment[k], 'Consume', -p_amount[k], v_balance[k],
                    false, p_reference[k], p_key[k], p_actor[k], p_now
                FROM generate_subscripts(p_workspace, 1) AS k
                WHERE v_account[k] IS NOT NULL;

                -- Each claimed key's record completed with its outcome.
                UPDATE idempotency_records AS r
                SET response_status = v_status[k], entry_id = CASE WHEN v_account[k] IS NOT NULL THEN p_entry[k] END,
                    balance = v_balance[k], request_id = p_request_id[k], completed_at = p_now
                FROM generate_subscripts(p_workspace, 1) AS k
                WHERE v_state[k] = 0 AND p_key[k] IS NOT NULL AND r.workspace_id = p_workspace[k] AND r.key = p_key[k];

                -- A key used before: its record, read now (after this batch's own, and after the commit of a
                -- transaction that held it).
                RETURN QUERY
                SELECT k,
                    (CASE WHEN v_state[k] = 0 THEN 0
                          WHEN v_state[k] = 2 OR r.key IS NULL THEN 3
                          WHEN r.request_hash <> p_hash[k] THEN 2
                          WHEN r.response_status IS NULL THEN 3
                          ELSE 1 END)::smallint,
                    CASE WHEN v_state[k] = 0 THEN v_status[k] WHEN v_state[k] = 1 THEN r.response_status END,
                    CASE WHEN v_state[k] = 0 THEN (CASE WHEN v_account[k] IS NOT NULL THEN p_entry[k] END)
                         WHEN v_state[k] = 1 THEN r.entry_id END,
                    CASE WHEN v_state[k] = 0 THEN v_balance[k] WHEN v_state[k] = 1 THEN r.balance END,
                    (CASE WHEN v_state[k] = 0 THEN p_request_id[k] WHEN v_state[k] = 1 THEN r.request_id END)::text
                FROM generate_subscripts(p_workspace, 1) AS k
                LEFT JOIN idempotency_records AS r
                    ON v_state[k] = 1 AND r.workspace_id = p_workspace[k] AND r.key = p_key[k];
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
