#!/bin/sh
# Headless Chromium opens the panels through the real nginx and
# crmx.fcgi: the account panel, the pipeline, the deal panel, the regions
# view, the account panel in Chinese and the embedded fragment in a narrow
# side-panel window.  Each page's DOM must hold its content, the
# stylesheet must have been applied, and each screenshot must be a real
# picture (many colours, some ink).  The PNGs stay in $O/screenshots for a
# person to look at.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/sh.sh"
O=${O:-build/default}
command -v nginx >/dev/null 2>&1 || { skip "panel screenshots" "nginx not installed"; exit 0; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { skip "panel screenshots" "chromium not installed"; exit 0; }
. "$top/tests/lib/panels-env.sh"
trap panels_env_stop EXIT
panels_env_start t_shots || exit 0
shots=$top/$O/screenshots
mkdir -p "$shots"
hp=${base#http://}

# A well-filled account: open deals and a decision maker; a deal with history.
acct=$(q "SELECT a.account_id FROM crmx_src.accounts a JOIN crmx.latest_account_metrics m USING (account_id)
          WHERE EXISTS (SELECT 1 FROM crmx_src.opportunities o WHERE o.account_id = a.account_id AND o.outcome = 'open')
            AND EXISTS (SELECT 1 FROM crmx_src.contacts k WHERE k.account_id = a.account_id AND k.purchase_role = 'decision_maker')
          ORDER BY m.revenue_window DESC LIMIT 1")
deal=$(q "SELECT o.opportunity_id FROM crmx_src.opportunities o WHERE o.outcome = 'open'
          AND (SELECT count(*) FROM crmx_src.stage_history h WHERE h.opportunity_id = o.opportunity_id) >= 3
          ORDER BY o.amount DESC LIMIT 1")

. "$top/tests/lib/shots.sh"

shot account exec 1100x1300 "/crmx/accounts/$acct" "Save qualification" 200
shot pipeline exec 1100x1300 /crmx/pipeline "Open deals by priority" 200
shot deal exec 1100x1300 "/crmx/deals/$deal" "Plan for the next step" 200
shot regions exec 1100x1300 /crmx/regions "Visit first" 100
shot account-zh exec 1100x1300 "/crmx/accounts/$acct?lang=zh-CN" "燃眉之急" 200
shot embed exec 420x900 "/crmx/accounts/$acct?embed=1" "crmx-embed" 20
# The stylesheet was applied: the nav bar's dark blue (#24344d) fills a band.
set -- $(/usr/bin/python3 "$top/tests/lib/pngstat.py" "$shots/account.png" 24344d)
check "the stylesheet is applied (nav bar: $5 pixels)" test "$5" -gt 10000
check "the stylesheet is served to the page" sh -c "curl -s -o /dev/null -w '%{http_code} %{content_type}' '$base/crmx/static/crmx.css' | grep -q '^200 text/css'"
exit 0
