"""Seeds a Tryton 6.0 database (sale_opportunity, sale, account_invoice
activated) with a small sales history whose figures the tests compute by
hand: every record goes through Tryton's own models and workflows
(proteus); only the clock is moved afterwards, by back-dating the
timestamps Tryton stamped (history rows, creation dates, close dates).

usage: /usr/bin/python3 seed.py TRYTOND_CONF DBNAME
The hand-computed figures are in tests/tryton/README (as of 2026-06-30).
"""
import datetime as dt
import sys
from decimal import Decimal as D

from proteus import Model, Wizard, config as pconfig

CONF, DB = sys.argv[1], sys.argv[2]
cfg = pconfig.set_trytond(DB, user='admin', config_file=CONF)
PASSWORD = 'crmx-demo-2026'     # the demo logins' password (make run prints it)


def get(model):
    return Model.get(model)


def day(s):
    return dt.date.fromisoformat(s)


# ---- company, currency, accounts ------------------------------------------
Currency, Party, User = get('currency.currency'), get('party.party'), get('res.user')
cny = Currency(name='Renminbi', symbol='¥', code='CNY', rounding=D('0.01'), digits=2)
cny.rates.new(date=day('2020-01-01'), rate=D('1'))
cny.save()
Country, Subdivision = get('country.country'), get('country.subdivision')
cn = Country(name='China', code='CN')
cn.save()
prov = {}
for code, name in [('SH', 'Shanghai'), ('GD', 'Guangdong'), ('BJ', 'Beijing'),
                   ('ZJ', 'Zhejiang'), ('SC', 'Sichuan'), ('JS', 'Jiangsu')]:
    s = Subdivision(country=cn, name=name, code='CN-' + code,
                    type='municipality' if code in ('SH', 'BJ') else 'province')
    s.save()
    prov[name] = s

company_party = Party(name='Crmx Trading Co.')
company_party.save()
wiz = Wizard('company.company.config')
wiz.execute('company')
wiz.form.party = company_party
wiz.form.currency = cny
wiz.execute('add')
cfg._context = User.get_preferences(True, {})
Company = get('company.company')
company, = Company.find()

AccountTemplate, ModelData = get('account.account.template'), get('ir.model.data')
data, = ModelData.find([('module', '=', 'account'), ('fs_id', '=', 'account_template_root_en')])
chart = Wizard('account.create_chart')
chart.execute('account')
chart.form.account_template = AccountTemplate(data.db_id)
chart.form.company = company
chart.execute('create_account')
Account = get('account.account')


def account(kind):
    a, = Account.find([('type.%s' % kind, '=', True), ('company', '=', company.id)], limit=1)
    return a


receivable, payable, revenue, expense = (account(k) for k in
                                          ('receivable', 'payable', 'revenue', 'expense'))
cash, = Account.find([('company', '=', company.id), ('name', '=', 'Main Cash')], limit=1)
chart.form.account_receivable = receivable
chart.form.account_payable = payable
chart.execute('create_properties')

FiscalYear, Sequence = get('account.fiscalyear'), get('ir.sequence')
SequenceStrict, SequenceType = get('ir.sequence.strict'), get('ir.sequence.type')
move_type, = SequenceType.find([('name', '=', 'Account Move')], limit=1)
inv_type, = SequenceType.find([('name', '=', 'Invoice')], limit=1)
for year in (2025, 2026):
    fy = FiscalYear(name=str(year), start_date=dt.date(year, 1, 1),
                    end_date=dt.date(year, 12, 31), company=company)
    fy.post_move_sequence = Sequence(name=str(year), sequence_type=move_type, company=company)
    fy.post_move_sequence.save()
    seq = SequenceStrict(name=str(year), sequence_type=inv_type, company=company)
    seq.save()
    s, = fy.invoice_sequences
    s.out_invoice_sequence = s.in_invoice_sequence = seq
    s.out_credit_note_sequence = s.in_credit_note_sequence = seq
    fy.save()
    fy.click('create_period')

PaymentTerm = get('account.invoice.payment_term')
term = PaymentTerm(name='Direct')
term.lines.new(type='remainder')
term.save()
Journal, PaymentMethod = get('account.journal'), get('account.invoice.payment.method')
cash_journal, = Journal.find([('type', '=', 'cash')])
paymethod = PaymentMethod(name='Cash', journal=cash_journal,
                          credit_account=cash, debit_account=cash)
paymethod.save()

Category, Uom, Template = get('product.category'), get('product.uom'), get('product.template')
cat = Category(name='Services', accounting=True, account_revenue=revenue,
               account_expense=expense)
cat.save()
unit, = Uom.find([('name', '=', 'Unit')])
tpl = Template(name='Consulting day', default_uom=unit, type='service', salable=True,
               list_price=D('1000'), account_category=cat)
tpl.save()
product, = tpl.products

# ---- people: a manager, two reps, an executive --------------------------
Employee, Group = get('company.employee'), get('res.group')
groups = [g for g in Group.find([('name', 'in', ['Sale Opportunity', 'Sales'])])]


def employee(name, supervisor=None):
    p = Party(name=name)
    p.save()
    e = Employee(party=p, company=company, supervisor=supervisor)
    e.save()
    return e


def user(login, name, emp=None):
    u = User(login=login, name=name, password=PASSWORD)
    u.groups.extend(Group(g.id) for g in groups)
    u.companies.append(Company(company.id))
    u.company = Company(company.id)
    if emp:
        u.employees.append(emp)
        u.employee = emp
    u.save()
    return u


carol = employee('Carol Chen')
alice = employee('Alice Wang', carol)
bob = employee('Bob Zhang', carol)
user('carol', 'Carol Chen', carol)
user('alice', 'Alice Wang', alice)
user('bob', 'Bob Zhang', bob)
user('dave', 'Dave Li')

# ---- customers -------------------------------------------------------------
# (name, [(city, province, active)], email); the first active address
# gives the region and city.
PartyCategory = get('party.category')
industry = {}
for key, name in [('C1', 'Machinery'), ('C2', 'Food'), ('C3', 'Electronics')]:
    industry[key] = PartyCategory(name=name)
    industry[key].save()
customers = {}
for key, name, addrs in [
        ('C1', 'Jinqiao Machinery', [('Suzhou', 'Jiangsu', False), ('Shanghai', 'Shanghai', True)]),
        ('C2', 'Pearl River Foods', [('Guangzhou', 'Guangdong', True)]),
        ('C3', 'Bay Area Electronics', [('Shenzhen', 'Guangdong', True)]),
        ('C4', 'Capital Logistics', [('Beijing', 'Beijing', True)]),
        ('C5', 'West Lake Tea', [('Hangzhou', 'Zhejiang', True)]),
        ('C6', 'Panda Software', [('Chengdu', 'Sichuan', True)])]:
    p = Party(name=name)
    first = True
    for city, pr, active in addrs:
        a = p.addresses[0] if first else p.addresses.new()
        first = False
        a.city, a.country, a.subdivision = city, cn, prov[pr]
        a.active = active
    p.contact_mechanisms.new(type='email', value='sales@%s.example.cn' % key.lower())
    if key in industry:
        p.categories.append(PartyCategory(industry[key].id))
    p.save()
    customers[key] = p


def address(p):
    return [a for a in p.addresses if a.active][0]


# ---- opportunities ----------------------------------------------------------
Opportunity, Sale, Invoice = get('sale.opportunity'), get('sale.sale'), get('account.invoice')
plans = {}      # opportunity id -> back-dated timestamp of each state change, in order
closes = {}     # opportunity id -> close date
party_created = {}


def at(s):
    return dt.datetime.fromisoformat(s + 'T10:00:00')


def opportunity(key, cust, emp, estimate, prob, expected, lead):
    o = Opportunity(description=key, party=customers[cust], employee=emp,
                    amount=D(estimate) if estimate else None, conversion_probability=prob,
                    start_date=day(lead), end_date=day(expected) if expected else None,
                    payment_term=term)
    o.address = address(customers[cust])
    o.save()
    plans[o.id] = [at(lead)]
    d = day(lead)
    if cust not in party_created or d < party_created[cust]:
        party_created[cust] = d
    return o


def move(o, button, when):
    o.click(button)
    plans[o.id].append(at(when))


def convert(o, qty, when):
    line = o.lines.new()
    line.product, line.quantity = product, qty
    o.save()
    move(o, 'convert', when)
    sale, = Sale.find([('origin', '=', 'sale.opportunity,%d' % o.id)])
    sale.sale_date = day(when)
    sale.save()
    sale.click('quote')
    return sale


def post(inv):
    # A back-dated invoice warns that its payment date is past: the
    # answer "always" is recorded as a user would give it.
    get('res.user.warning')(user=cfg.user, name='invoice_payment_term_%d' % inv.id,
                            always=True).save()
    inv.click('post')


def invoice_of(sale, when, paid=None):
    sale.reload()
    inv, = sale.invoices
    inv.invoice_date = day(when)
    inv.save()
    post(inv)
    if paid:
        pay(inv, paid)
    return inv


def pay(inv, when):
    w = Wizard('account.invoice.pay', [inv])
    w.form.payment_method = paymethod
    w.form.date = day(when)
    w.execute('choice')


def won(o, sale, when):
    sale.click('confirm')
    o.reload()
    assert o.state == 'won', o.state
    plans[o.id].append(at(when))
    closes[o.id] = day(when)


def standalone(cust, qty, price, when, posted=True, paid=None, kind='out'):
    inv = Invoice(type=kind, party=customers[cust], invoice_date=day(when), payment_term=term)
    line = inv.lines.new()
    line.account = revenue if kind == 'out' else expense
    line.description = 'Consulting'
    line.quantity, line.unit_price = qty, D(price)
    inv.save()
    if posted:
        post(inv)
    if paid:
        pay(inv, paid)
    return inv


# Invoice numbers follow dates: the oldest invoice first.
standalone('C2', 4, '1000', '2025-03-15', paid='2025-03-30')    # before the window

# O1: estimate 40 000, sold 50 000 (Tryton overwrites the estimate).
o = opportunity('O1', 'C1', alice, 40000, 0.5, '2025-11-30', '2025-09-01')
move(o, 'opportunity', '2025-09-11')
s = convert(o, 50, '2025-10-01')
won(o, s, '2025-10-21')
invoice_of(s, '2025-10-25', paid='2025-11-10')

o = opportunity('O2', 'C1', bob, 30000, 0.6, '2026-03-31', '2026-01-05')
move(o, 'opportunity', '2026-01-25')
s = convert(o, 30, '2026-02-14')
won(o, s, '2026-03-06')
invoice_of(s, '2026-03-10', paid='2026-03-25')

o = opportunity('O3', 'C2', alice, 12000, 0.5, '2025-12-31', '2025-11-01')
move(o, 'opportunity', '2025-11-06')
s = convert(o, 12, '2025-11-16')
won(o, s, '2025-12-01')
invoice_of(s, '2025-12-05', paid='2025-12-20')

# O4 skips the opportunity state: lead -> converted.
o = opportunity('O4', 'C3', bob, 6000, 0.4, '2025-12-31', '2025-12-01')
s = convert(o, 6, '2025-12-11')
won(o, s, '2025-12-26')
invoice_of(s, '2025-12-28', paid='2026-01-05')

o = opportunity('O5', 'C4', alice, 2000, 0.5, '2026-03-31', '2026-02-01')
move(o, 'opportunity', '2026-02-11')
s = convert(o, 2, '2026-03-03')
won(o, s, '2026-03-13')
invoice_of(s, '2026-03-15')     # posted, not paid yet

# O6: quotation cancelled -> lost; Tryton sets the amount to 0, the
# estimate of 8 000 survives in history.
o = opportunity('O6', 'C5', bob, 8000, 0.3, '2026-05-31', '2026-03-01')
move(o, 'opportunity', '2026-03-21')
s = convert(o, 8, '2026-04-10')
s.click('cancel')
o.reload()
assert o.state == 'lost' and o.amount == 0, (o.state, o.amount)
plans[o.id].append(at('2026-04-30'))
closes[o.id] = day('2026-04-30')

o = opportunity('O7', 'C6', alice, 15000, 0.2, '2026-06-30', '2026-04-01')
move(o, 'opportunity', '2026-04-15')
o.lost_reason = 'budget frozen'
move(o, 'lost', '2026-05-15')
closes[o.id] = day('2026-05-15')

# O8: cancelled — neither won nor lost.
o = opportunity('O8', 'C6', bob, 9000, 0.1, None, '2026-05-01')
move(o, 'cancel', '2026-05-11')
closes[o.id] = day('2026-05-11')

# Open deals.
o = opportunity('O9', 'C2', alice, 20000, 0.5, '2026-07-15', '2026-05-10')
move(o, 'opportunity', '2026-05-20')
o = opportunity('O10', 'C4', bob, 5000, 0.1, '2026-08-31', '2026-06-20')
o = opportunity('O11', 'C1', alice, 12000, 0.8, '2026-07-31', '2026-05-01')
move(o, 'opportunity', '2026-05-11')
convert(o, 10, '2026-06-01')    # quoted 10 000: the amount becomes 10 000

o = opportunity('O12', 'C5', alice, 3000, 0.1, '2026-02-28', '2026-01-10')
move(o, 'lost', '2026-01-20')
closes[o.id] = day('2026-01-20')

# Invoices outside the deals (numbering is sequential: in date order).
standalone('C3', -1, '1000', '2026-03-20')                      # credit note
standalone('C5', 1, '500', '2026-05-05', paid='2026-05-06')
standalone('C4', 1, '700', '2026-05-10', kind='in')             # supplier: no revenue
standalone('C5', 1, '1000', '2026-06-01', posted=False)         # draft: no revenue

# ---- move the clock -------------------------------------------------------
# Tryton stamped everything "now"; put each state change at its planned time.
import psycopg2                                                  # noqa: E402
from trytond.config import config as tconfig                    # noqa: E402
from trytond.backend.postgresql.database import Database        # noqa: E402

conn = psycopg2.connect(**Database._connection_params(DB))
cur = conn.cursor()
for oid, plan in plans.items():
    cur.execute('SELECT "__id", state FROM sale_opportunity__history'
                ' WHERE id = %s ORDER BY "__id"', (oid,))
    rows, prev, k, ts = cur.fetchall(), None, -1, None
    for hid, state in rows:
        if state != prev:
            k += 1
            ts = plan[k]
            prev = state
        cur.execute('UPDATE sale_opportunity__history SET create_date = %s,'
                    ' write_date = CASE WHEN "__id" = %s THEN NULL ELSE %s END WHERE "__id" = %s',
                    (plan[0], rows[0][0], ts, hid))
    assert k == len(plan) - 1, ('state changes', oid, k, plan)
    cur.execute('UPDATE sale_opportunity SET create_date = %s, write_date = %s'
                ' WHERE id = %s', (plan[0], plan[-1], oid))
for oid, d in closes.items():
    cur.execute('UPDATE sale_opportunity SET end_date = %s WHERE id = %s', (d, oid))
    cur.execute('UPDATE sale_opportunity__history SET end_date = %s'
                ' WHERE id = %s AND end_date IS NOT NULL', (d, oid))
for key, d in party_created.items():
    cur.execute('UPDATE party_party SET create_date = %s WHERE id = %s',
                (dt.datetime.combine(d, dt.time(9)), customers[key].id))
conn.commit()
print('seeded %s: %d opportunities' % (DB, len(plans)))
