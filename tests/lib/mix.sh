# Sourced by the reliability tests after tests/lib/panels-env.sh: the
# request lists of a panel user's day, for tests/lib/loadmix.py (one line
# per request: METHOD PATH USER EXPECTED [BODY], tab-separated).
#   mix_list FILE     every panel, JSON and HTML, both languages, list
#                     filters, bad requests (400/403/404/405) and forms
#                     with their CSRF tokens (303, 200, 400)
#   mix_gets FILE     only pages that answer 200 (the fault tests)
# Uses q from panels-env.sh.

# mix_rows SQL: the SQL's rows as tab-separated lines
mix_rows() { psql -h "$host" -U crmx -d "$db" -X -AtF '	' -c "$1"; }

mix_gets() {
	{
		# Each rep: two own accounts, HTML and JSON, English and Chinese; the
		# pipeline; an own deal.
		mix_rows "SELECT 'GET', '/crmx/accounts/' || a.account_id || s.sfx, u.login, 200
		            FROM crmx_src.users u
		            JOIN LATERAL (SELECT account_id FROM crmx_src.accounts
		                           WHERE owner_id = u.user_id ORDER BY account_id LIMIT 2) a ON true
		            CROSS JOIN (VALUES (''), ('.json'), ('?lang=zh-CN'), ('.json?lang=zh-CN')) s(sfx)
		           WHERE u.role = 'rep' ORDER BY u.user_id, a.account_id"
		mix_rows "SELECT 'GET', '/crmx/pipeline' || s.sfx, u.login, 200
		            FROM crmx_src.users u CROSS JOIN (VALUES (''), ('.json'), ('?lang=zh-CN')) s(sfx)
		           WHERE u.role IN ('rep', 'manager') ORDER BY u.user_id"
		mix_rows "SELECT 'GET', '/crmx/deals/' || d.opportunity_id || s.sfx, u.login, 200
		            FROM crmx_src.users u
		            JOIN LATERAL (SELECT opportunity_id FROM crmx_src.opportunities
		                           WHERE owner_id = u.user_id ORDER BY opportunity_id LIMIT 1) d ON true
		            CROSS JOIN (VALUES (''), ('.json')) s(sfx)
		           WHERE u.role = 'rep' ORDER BY u.user_id"
		# The lists with filters, by managers and executives.
		for u in exec manager1 manager2; do
			for p in /crmx/accounts /crmx/accounts.json '/crmx/accounts?sort=ltv' \
			         '/crmx/accounts?sort=name&lang=zh-CN' '/crmx/accounts?region=North' \
			         '/crmx/accounts.json?city=Suzhou&size=20' '/crmx/accounts?class=A&page=2&size=10' \
			         '/crmx/accounts?segment=champions' '/crmx/accounts?grade=A&sort=activity' \
			         /crmx/regions /crmx/regions.json '/crmx/regions?class=A&lang=zh-CN' \
			         '/crmx/regions?region=East'; do
				printf 'GET\t%s\t%s\t200\n' "$p" "$u"
			done
		done
		mix_rows "SELECT 'GET', '/crmx/accounts?owner=' || user_id, 'exec', 200
		            FROM crmx_src.users WHERE role = 'rep'"
	} >"$1"
}

mix_list() {
	mix_gets "$1"
	{
		# Someone else's account and deal: 404, as if they did not exist.
		mix_rows "SELECT 'GET', '/crmx/accounts/' || min(a.account_id), u.login, 404
		            FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id <> u.user_id
		           WHERE u.role = 'rep' GROUP BY u.login"
		mix_rows "SELECT 'GET', '/crmx/deals/' || min(d.opportunity_id) || '.json', u.login, 404
		            FROM crmx_src.users u JOIN crmx_src.opportunities d ON d.owner_id <> u.user_id
		           WHERE u.role = 'rep' GROUP BY u.login"
		# Bad requests.
		printf 'GET\t%s\trep1\t400\n' '/crmx/accounts?sort=bogus' '/crmx/accounts?page=0' \
		       '/crmx/accounts?size=100000' '/crmx/accounts?owner=x' '/crmx/deals/12x' \
		       '/crmx/accounts/1%00' '/crmx/accounts?city=%ED%A0%80' '/crmx/accounts?x=%zz'
		printf 'GET\t%s\trep1\t404\n' /crmx/nowhere /crmx/accounts/1/2 /crmx/deals/
		printf 'POST\t/crmx/accounts\trep1\t405\tx=1\n'
		printf 'GET\t/crmx/accounts\tghost\t403\n'
		# Forms: a valid qualification (HTML: 303 back to the panel), an
		# invalid one (400), a deal review (303).
		mix_rows "SELECT 'FORM', '/crmx/accounts/' || min(a.account_id), u.login, 303,
		                 'has_need=yes&can_pay=yes&has_authority=no&burning_issue=Line+stops+%E5%81%9C%E4%BA%A7'
		            FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id = u.user_id
		           WHERE u.role = 'rep' GROUP BY u.login"
		mix_rows "SELECT 'FORM', '/crmx/accounts/' || min(a.account_id), u.login, 400, 'has_need=maybe'
		            FROM crmx_src.users u JOIN crmx_src.accounts a ON a.owner_id = u.user_id
		           WHERE u.role = 'rep' GROUP BY u.login"
		mix_rows "SELECT 'FORM', '/crmx/deals/' || min(d.opportunity_id), u.login, 303,
		                 'step=judged&evidence=Budget+mail&action=Demo&plan=Sign+in+July'
		            FROM crmx_src.users u JOIN crmx_src.opportunities d ON d.owner_id = u.user_id
		           WHERE u.role = 'rep' GROUP BY u.login"
	} >>"$1"
}
