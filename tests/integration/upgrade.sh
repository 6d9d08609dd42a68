#!/bin/sh
# An upgrade keeps everything: the earlier release named below is checked
# out from this repository's history (git worktree) and built; it sets up
# a database (migrations, native adapter, demo data, a metric run and a
# report, plus records users make: a qualification, a deal review, a
# contact's role); HEAD's crmx-admin migrate then upgrades it.  Every
# table of the earlier release keeps every row and value (a digest over
# its earlier columns), each applied migration is recorded with its
# checksum, HEAD's run, report and panels work on the upgraded database,
# and a migration file edited after it was applied is refused.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
# The earlier release: main at the end of the reliability work, before
# the Debian package (crmx 0.1.0 as it was first deployed by hand).
OLD=ba533aaa3b555d49650784bb371cecf2461f76f3
host=${CRMX_TEST_PGHOST:?run through tests/run-all}
tmpu=$(mktemp -d)
udb=t_upgrade
qu() { psql -h "$host" -U crmx -d "$udb" -X -Atqc "$1"; }
cleanup_upgrade() {
	git -C "$top" worktree remove --force "$tmpu/old" 2>/dev/null
	rm -rf "$tmpu"
}
trap 'cleanup_upgrade; if type panels_env_stop >/dev/null 2>&1; then panels_env_stop; else
	psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $udb" 2>/dev/null; fi' EXIT

section "upgrade from an earlier release"
if [ -n "${SANITIZE:-}" ]; then
	skip "upgrade" "normal pass only (the earlier release is built without sanitizers)"; exit 0
fi
if ! git -C "$top" cat-file -e "$OLD^{commit}" 2>/dev/null; then
	skip "upgrade" "history not available (shallow clone?): $OLD"; exit 0
fi
if git -C "$top" worktree add --detach "$tmpu/old" "$OLD" >"$tmpu/wt.log" 2>&1; then
	pass "earlier release $(echo "$OLD" | cut -c1-7) checked out (git worktree)"
else cat "$tmpu/wt.log"; fail "git worktree add $OLD"; exit 0; fi
if make -C "$tmpu/old" -s programs >"$tmpu/build.log" 2>&1; then pass "earlier release builds"
else tail -20 "$tmpu/build.log"; fail "earlier release builds"; exit 0; fi

old_admin="$tmpu/old/build/default/admin/crmx-admin --sql-dir $tmpu/old/sql"
new_admin="$top/$O/admin/crmx-admin --sql-dir $top/sql"
ci="host=$host dbname=$udb user=crmx"
psql -h "$host" -U crmx -d crmx -X -qc "DROP DATABASE IF EXISTS $udb" 2>/dev/null
psql -h "$host" -U crmx -d crmx -X -qc "CREATE DATABASE $udb"
# shellcheck disable=SC2086
{ $old_admin --set "database.conninfo=$ci" migrate &&
  $old_admin --set "database.conninfo=$ci" adapter native &&
  $old_admin --set "database.conninfo=$ci" demo --accounts 400 --seed 5 --anchor 2026-06-30 &&
  "$tmpu/old/build/default/reportd/crmx-reportd" --set "database.conninfo=$ci" \
	--set "reportd.report_dir=$tmpu/reports" --run-once --report --as-of 2026-06-30; } \
	>"$tmpu/old.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '2026-W27' "$tmpu/old.log"; then
	pass "the earlier release sets up a database with a run and a report"
else tail -20 "$tmpu/old.log"; fail "the earlier release sets up a database with a run and a report"; exit 0; fi
acct=$(qu "SELECT min(account_id) FROM crmx_src.accounts")
deal=$(qu "SELECT min(opportunity_id) FROM crmx_src.opportunities WHERE outcome = 'open'")
contact=$(qu "SELECT min(contact_id) FROM crmx_src.contacts WHERE account_id = $acct")
qu "INSERT INTO crmx.qualification (account_id, has_need, can_pay, has_authority, burning_issue, updated_by)
    VALUES ($acct, true, true, false, 'upgrade test', 'upgrade') ON CONFLICT (account_id) DO UPDATE
    SET burning_issue = 'upgrade test', updated_by = 'upgrade'" >/dev/null
qu "INSERT INTO crmx.deal_review (opportunity_id, step_completed, evidence, action, plan, created_by)
    VALUES ($deal, 'met the buyer', 'minutes', 'proposal', 'sign in July', 'upgrade')" >/dev/null
qu "INSERT INTO crmx.contact_role (contact_id, purchase_role, reached, updated_by) VALUES ($contact, 'decision_maker', true, 'upgrade')
    ON CONFLICT (contact_id) DO UPDATE SET purchase_role = 'decision_maker', reached = true" >/dev/null

# digest: one line per table of the schemas crmx and crmx_native (the
# partitioned ones as a whole; schema_version is checked below): name,
# rows, md5 of its rows over the columns listed in $tmpu/cols (the
# earlier release's).
qu "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
           || string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname IN ('crmx', 'crmx_native') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND c.oid <> 'crmx.schema_version'::regclass
    GROUP BY n.nspname, c.relname ORDER BY 1" >"$tmpu/cols"
digest() {
	while read -r t cols; do
		printf '%s %s\n' "$t" "$(qu "SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '-')
		    FROM (SELECT $cols FROM $t) r")"
	done <"$tmpu/cols"
}
digest >"$tmpu/before"
check "the earlier release's tables are read ($(wc -l <"$tmpu/cols"))" test "$(wc -l <"$tmpu/cols")" -ge 10
for t in crmx.run crmx.deal_review crmx.contact_role crmx.qualification crmx_native.accounts; do
	check "... $t has rows" grep -q "^$t [1-9]" "$tmpu/before"
done
grep -q "^crmx.run [1-9]" "$tmpu/before" || head -40 "$tmpu/before"

# shellcheck disable=SC2086
if $new_admin --set "database.conninfo=$ci" migrate >"$tmpu/migrate.log" 2>&1; then
	pass "HEAD's crmx-admin migrate upgrades it"
else cat "$tmpu/migrate.log"; fail "HEAD's crmx-admin migrate upgrades it"; fi
digest >"$tmpu/after"
if cmp -s "$tmpu/before" "$tmpu/after"; then
	pass "every row and value of the earlier release is kept"
else diff "$tmpu/before" "$tmpu/after"; fail "every row and value of the earlier release is kept"; fi
files=$(ls "$top/sql/migrations" | grep -c '^[0-9][0-9][0-9][0-9]_.*\.sql$')
check "every migration of HEAD is recorded ($files)" \
	same "$(qu "SELECT count(*) FROM crmx.schema_version")" "$files"
check "... each with its checksum" same "$(qu "SELECT count(*) FROM crmx.schema_version WHERE checksum ~ '^[0-9a-f]{64}\$'")" "$files"
check "... the file's SHA-256" same \
	"$(qu "SELECT checksum FROM crmx.schema_version WHERE version = 1")" \
	"$(sha256sum "$top/sql/migrations/0001_core.sql" | cut -d' ' -f1)"

# HEAD's run and report on the upgraded database, and the panels.
if "$top/$O/reportd/crmx-reportd" --set "database.conninfo=$ci" --set "reportd.report_dir=$tmpu/reports" \
	--run-once --report --as-of 2026-07-07 >"$tmpu/new.log" 2>&1; then
	pass "HEAD's run and report on the upgraded database"
else tail -20 "$tmpu/new.log"; fail "HEAD's run and report on the upgraded database"; fi
check "... the report is written" test -s "$tmpu/reports/2026-W28/index.html"
check "... the earlier run is still there" same "$(qu "SELECT count(*) FROM crmx.run WHERE as_of = '2026-06-30'")" 1
# the earlier run's partition too has 0032's indexes by owner (empty):
# without them a list's plan sorted all of a scope's rows
check "... every run's partition has its three indexes by owner" test "$(qu "SELECT count(*) > 1
	AND count(*) FILTER (WHERE (SELECT count(*) FROM pg_indexes x WHERE x.schemaname = 'crmx'
	    AND x.tablename = c.relname AND x.indexname LIKE '%\_owner\_%') <> 3) = 0
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'crmx.account_metrics'::regclass")" = t
# 0034: the deals by owner and stage carry the close date (a changed rep's
# closed deals of the window, read live, without the close-date index);
# 0043: and 0013's columns again (a scope's open deals read from it alone)
check "... the deals' index by owner and stage has the close date and the pipeline's columns" same \
	"$(qu "SELECT indexdef FROM pg_indexes WHERE schemaname = 'crmx_native'
	       AND indexname = 'opportunities_owner_stage'" | sed 's/.*USING btree //')" \
	"(owner_id, stage, closed_at) INCLUDE (opportunity_id, amount, probability, created_at, expected_close, stage_entered_at, account_id, name)"
# 0036: a manager's team found by index
check "... the users have an index by team" same \
	"$(qu "SELECT indexdef FROM pg_indexes WHERE schemaname = 'crmx_native'
	       AND indexname = 'users_team'" | sed 's/.*USING btree //')" "(team)"
PANELS_DB_READY=1
. "$top/tests/lib/panels-env.sh"
if panels_env_start "$udb"; then
	rep=$(q "SELECT login FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id = u.user_id
	         WHERE a.account_id = $acct")
	check "the account panel on the upgraded database: 200" same "$(get "$rep" "/crmx/accounts/$acct")" 200
	check "... shows the qualification recorded before the upgrade" grep -q 'upgrade test' "$tmp/body"
	owner=$(q "SELECT login FROM crmx_src.users u JOIN crmx_src.opportunities o ON o.owner_id = u.user_id
	           WHERE o.opportunity_id = $deal")
	check "the deal panel: 200" same "$(get "$owner" "/crmx/deals/$deal")" 200
	check "... with the review made before the upgrade" grep -q 'sign in July' "$tmp/body"
	check "the pipeline: 200" same "$(get "$rep" /crmx/pipeline)" 200
fi

# A migration edited after it was applied is refused, naming it.
cp -R "$top/sql" "$tmpu/sql"
echo "-- edited" >>"$tmpu/sql/migrations/0001_core.sql"
"$top/$O/admin/crmx-admin" --sql-dir "$tmpu/sql" --set "database.conninfo=$ci" migrate >"$tmpu/edit.log" 2>&1
rc=$?
check "an edited migration: migrate exits 1" same "$rc" 1
check "... naming the file and what to do" grep -q "0001_core.sql was changed after it was applied" "$tmpu/edit.log"
check "... and the database is untouched" same "$(qu "SELECT checksum FROM crmx.schema_version WHERE version = 1")" \
	"$(sha256sum "$top/sql/migrations/0001_core.sql" | cut -d' ' -f1)"
